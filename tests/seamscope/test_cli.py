"""The command line as a person uses it: readable output, exit codes, no tracebacks."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.adapters import FORMATS
from seamscope.api import serve
from seamscope.cli import main
from seamscope.network import Network
from sinks.store import Store
from streams.simulate import Simulator, Step
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
