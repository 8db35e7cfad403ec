"""The command line as a person uses it: readable output, exit codes, no tracebacks."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.trace import StatusCode

from schemas.adapters import FORMATS
from seamscope.api import serve
from seamscope.cli import main
from seamscope.network import Network
from seamscope.traces import journey_spans, stages
from sinks.store import Store
from streams.simulate import Simulator, Step
from streams.state import RETRACTED_FLAG
from tests.helpers import land, raw_records

ROOT = Path(__file__).resolve().parents[2]
UPS_FIXTURE = ROOT / "tests" / "fixtures" / "ups" / "delivered_history.json"


def test_list_formats_prints_one_name_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "--list-formats"]) == 0
    assert capsys.readouterr().out.split() == sorted(FORMATS)


def test_normalize_prints_canonical_events(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "--partner-format", "ups", str(UPS_FIXTURE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dead_letter"] is None
    assert out["events"] and all(e["partner_type"] == "carrier" for e in out["events"])
    assert {i["type"] for e in out["events"] for i in e["identifiers"]} >= {"tracking_number"}


def test_a_malformed_payload_gives_a_dead_letter_reason_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"trackResponse": {"shipment": [')
    assert main(["normalize", "-f", "ups", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("dead letter: payload is not valid JSON")
    assert "Traceback" not in captured.err


def test_unknown_format_and_missing_file_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["normalize", "-f", "telex", str(UPS_FIXTURE)]) == 2
    assert "unknown format 'telex'" in capsys.readouterr().err
    assert main(["normalize", "-f", "ups", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.fixture
def steps(network: Network) -> list[Step]:
    return Simulator(network, seed=5).plan_history(3, datetime.now(UTC), days=10)


@pytest.fixture
def loaded(store: Store, network: Network, steps: list[Step]) -> tuple[Store, list[str]]:
    """A store holding three simulated orders, stitched as the worker would."""
    land(store, network, raw_records(network, steps))
    return store, sorted({s.order.order_number for s in steps})


@pytest.fixture
def api_url(loaded: tuple[Store, list[str]]) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    runner, url = loop.run_until_complete(serve(loaded[0]))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield url
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_journey_prints_the_timeline_from_a_running_api(
    loaded: tuple[Store, list[str]], api_url: str, steps: list[Step],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    order = loaded[1][0]
    assert main(["journey", order, "--api", api_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("journey jrn_")
    assert f"order {order}" in out
    reported = {s.milestone.value for s in steps if s.order.order_number == order}
    assert {"order_placed", "handed_off"} <= reported
    for milestone in reported:
        assert f" {milestone} " in out
    for partner in {s.partner.id for s in steps if s.order.order_number == order}:
        assert f" {partner} " in out

    assert main(["journey", order, "--api", api_url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (journey,) = data["journeys"]
    times = [e["occurred_at"] for e in journey["events"]]
    assert times == sorted(times)


@pytest.mark.parametrize(
    "query", ["no-such-order", "' OR 1=1 --", "x'); DROP TABLE identifiers;--"]
)
def test_unknown_ids_and_injection_attempts_are_simply_not_found(
    loaded: tuple[Store, list[str]], api_url: str, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journey", query, "--api", api_url]) == 1
    assert capsys.readouterr().out.strip() == f"no journey found for {query!r}"
    assert loaded[0].rows("SELECT count() AS n FROM identifiers")[0]["n"] > 0


def test_journey_reads_the_store_directly_when_no_demo_runs(
    loaded: tuple[Store, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, orders = loaded
    monkeypatch.setenv("SEAMSCOPE_CLICKHOUSE_URL", store.url)
    monkeypatch.setenv("SEAMSCOPE_CLICKHOUSE_DATABASE", store.database)
    monkeypatch.setenv("SEAMSCOPE_RUN_DIR", str(tmp_path))
    assert main(["journey", orders[-1], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["journeys"][0]["events"]


def test_web_refuses_a_public_address_without_a_token(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SEAMSCOPE_CLICKHOUSE_URL", store.url)
    monkeypatch.setenv("SEAMSCOPE_CLICKHOUSE_DATABASE", store.database)
    monkeypatch.setenv("SEAMSCOPE_RUN_DIR", str(tmp_path))
    monkeypatch.delenv("SEAMSCOPE_WEB_TOKEN", raising=False)
    assert main(["web", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "needs a token" in capsys.readouterr().err


def _collapsed(milestones: list[str]) -> list[str]:
    """Consecutive repeats of a milestone as one stage."""
    return [m for i, m in enumerate(milestones) if i == 0 or milestones[i - 1] != m]


def test_journey_trace_has_a_span_per_stage_under_the_journey_and_keeps_its_ids(
    loaded: tuple[Store, list[str]], api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    order = loaded[1][0]
    assert main(["journey", order, "--api", api_url, "--json"]) == 0
    (journey,) = json.loads(capsys.readouterr().out)["journeys"]
    events = journey["events"]

    assert main(["journey", order, "--api", api_url, "--trace", "console"]) == 0
    out = capsys.readouterr()
    spans = [json.loads(line) for line in out.out.splitlines()]
    (root,) = [s for s in spans if s["parent_id"] is None]
    trace_id = root["context"]["trace_id"]
    assert out.err.strip() == (
        f"journey {journey['journey_id']}: trace {trace_id[2:]}, {len(spans)} spans"
    )
    assert root["name"] == f"journey {journey['journey_id']}"
    assert f"order:{order}" in root["attributes"]["seamscope.identifiers"]
    stages = sorted((s for s in spans if s is not root), key=lambda s: s["start_time"])
    assert {s["context"]["trace_id"] for s in stages} == {trace_id}
    assert {s["parent_id"] for s in stages} == {root["context"]["span_id"]}
    assert [s["name"] for s in stages] == _collapsed([e["milestone"] for e in events])
    assert sum(len(s["events"]) for s in stages) == len(events)
    assert root["start_time"] == stages[0]["start_time"]
    assert root["end_time"] == stages[-1]["end_time"]
    for held, taken in itertools.pairwise(stages):
        assert held["end_time"] == taken["start_time"]  # a stage ends as the next begins
        handoff = held["attributes"]["seamscope.handoff_to"]
        taker = taken["attributes"]["seamscope.partner_id"]
        assert handoff == ("" if taker == held["attributes"]["seamscope.partner_id"] else taker)

    # Exported again, the same trace: the ids come from the journey id.
    assert main(["journey", order, "--api", api_url, "--trace", "console"]) == 0
    again = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {s["context"]["span_id"] for s in again} == {s["context"]["span_id"] for s in spans}
    assert {s["context"]["trace_id"] for s in again} == {trace_id}


def test_journey_trace_goes_to_the_otlp_collector(
    loaded: tuple[Store, list[str]],
    api_url: str,
    collector: tuple[str, list[tuple[str, str, bytes]]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    endpoint, received = collector
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    order = loaded[1][-1]
    assert main(["journey", order, "--api", api_url, "--trace", "otlp"]) == 0
    said = capsys.readouterr().err
    ((path, content_type, body),) = received
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    request = ExportTraceServiceRequest.FromString(body)
    spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
    (trace_id,) = {s.trace_id.hex() for s in spans}
    assert said.strip().endswith(f": trace {trace_id}, {len(spans)} spans")

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # nobody there
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    assert main(["journey", order, "--api", api_url, "--trace", "otlp"]) == 2
    assert "the span exporter did not take the" in capsys.readouterr().err


def test_an_open_journey_runs_to_now_and_a_failed_stage_is_an_error() -> None:
    def event(milestone: str, minute: int, partner: str, **extra: Any) -> dict[str, Any]:
        at = datetime(2026, 3, 2, 9, minute, tzinfo=UTC).isoformat()
        return {"event_id": f"e{minute}", "milestone": milestone, "occurred_at": at,
                "partner_id": partner, "node_id": f"{partner}-1", "ownership": "partner",
                "partner_type": "carrier", **extra}  # fmt: skip

    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    journey = {
        "journey_id": "jrn_x",
        "events": [
            event("picked_up", 0, "ups"),
            event("in_transit", 10, "ups"),
            event("in_transit", 20, "ups"),
            event("exception", 30, "ups", exception_reason="address not found"),
            event("delivered", 40, "ups", quality_flags=[RETRACTED_FLAG]),  # taken back
        ],
    }
    held = stages(journey, now)
    assert [(s.milestone, s.start.minute, len(s.events)) for s in held] == [
        ("picked_up", 0, 1), ("in_transit", 10, 2), ("exception", 30, 1),
    ]  # fmt: skip
    assert (held[-1].end, held[-1].open) == (now, True)  # not delivered: still there
    spans, made = journey_spans([journey], now)
    failed = next(s for s in spans if s.name == "exception")
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "address not found"
    assert made == [(f"{spans[0].context.trace_id:032x}", 4)]

    journey["events"][-1]["quality_flags"] = []  # delivered after all: done, ends there
    last = stages(journey, now)[-1]
    assert (last.milestone, last.end.minute, last.open) == ("delivered", 40, False)
