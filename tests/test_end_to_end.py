"""End to end on the real embedded broker and chDB: raw partner payloads -> journeys.

The worker runs as its own process (`python -m seamscope worker`), as in production; the
sink runs here because this process owns the chDB engine.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from seamscope.network import Network
from seamscope.settings import Settings
from seamscope.telemetry import Attrs, console_exports, metric_values, stage_seconds
from sinks.queries import find_journeys
from sinks.store import Store
from streams.simulate import Simulator
from streams.topics import DEADLETTER, JOURNEY_EVENTS, raw_topic
from tests.helpers import expected_events, raw_records, run_pipeline, start_worker

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("normalizing", [0, 1], ids=["in-worker", "normalizing-process"])
def test_journeys_stitched_across_partners_land_in_clickhouse(
    settings: Settings, store: Store, network: Network, tmp_path: Path, normalizing: int
) -> None:
    """Whether the worker normalizes payloads itself or has a process of its own do it;
    and both meter what they did and what it cost (OpenTelemetry)."""
    settings = settings.model_copy(
        update={
            "worker_normalize_processes": normalizing,
            "metrics_exporter": "console",
            "metrics_interval_s": 0.5,
        }
    )
    sim = Simulator(network, seed=11)
    steps = sim.plan_history(12, datetime.now(UTC), days=5)
    steps.reverse()  # the newest reports first: stitching must not depend on arrival order
    truth = expected_events(network, steps)
    total = sum(len(v) for v in truth.values())
    bad = [(raw_topic("shopify"), b'{"id": 1, "name": '), (raw_topic("ups"), b"\x00\xff")]

    sink_metrics = InMemoryMetricReader()
    sink_seen: dict[tuple[str, Attrs], float] = {}

    async def read_sink_metrics() -> None:
        sink_seen.update(metric_values(sink_metrics.get_metrics_data()))

    worker = start_worker(settings, tmp_path)
    try:
        pipeline = run_pipeline(
            settings, store, steps, bad, wait_for_events=total,
            then=read_sink_metrics, metric_readers=[sink_metrics],
        )  # fmt: skip
        asyncio.run(pipeline)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert ("normalizing processes started" in log) == bool(normalizing), log[-3000:]

    landed = store.rows("SELECT count() AS n, uniqExact(event_id) AS u FROM journey_events")[0]
    assert (landed["n"], landed["u"]) == (total, total), log[-3000:]
    for order_number, event_ids in truth.items():
        journeys = find_journeys(store, order_number)
        assert len(journeys) == 1, f"order {order_number} is split over {len(journeys)} journeys"
        events = journeys[0].events
        assert {e["event_id"] for e in events} == event_ids
        times = [e["occurred_at"] for e in events]
        assert times == sorted(times)
        kinds = {s.partner.type.value for s in steps if s.order.order_number == order_number}
        assert {e["partner_type"] for e in events} == kinds
    # Delivered orders went through all three kinds of partner.
    delivered = {s.order.order_number for s in steps if s.milestone.value == "delivered"}
    assert delivered
    for order_number in delivered:
        (journey,) = find_journeys(store, order_number)
        assert {e["partner_type"] for e in journey.events} == {
            "marketplace",
            "warehouse",
            "carrier",
        }

    # Any partner's identifier finds the same journey.
    order = next(s.order for s in steps if s.order.order_number in delivered)
    (journey,) = find_journeys(store, order.order_number)
    carried = [i["value"] for i in journey.identifiers if i["type"] != "order"]
    assert any(i["type"] == "tracking_number" for i in journey.identifiers)
    for any_id in (*carried, "#" + order.order_number):
        assert [j.journey_id for j in find_journeys(store, any_id)] == [journey.journey_id]

    letters = store.rows(
        "SELECT partner_id, source_topic, reason, raw FROM dead_letters ORDER BY partner_id"
    )
    assert [(r["partner_id"], r["source_topic"]) for r in letters] == [
        ("shopify", raw_topic("shopify")),
        ("ups", raw_topic("ups")),
    ]
    assert letters[0]["raw"] == '{"id": 1, "name": '
    assert all(r["reason"] for r in letters)

    # The worker's metrics, as exported last (on its way out): every payload counted,
    # each stage's CPU time, nothing left waiting.
    exports = console_exports(log)
    assert len(exports) >= 2, log[-3000:]  # (every 0.5 s, and once more on stopping)
    worker_seen = metric_values(exports[-1])
    payloads = len(raw_records(network, steps)) + len(bad)
    assert worker_seen["seamscope.worker.records", ()] == payloads
    assert worker_seen["seamscope.worker.events", ()] == total
    assert worker_seen["seamscope.worker.dead_letters", ()] == len(bad)
    assert worker_seen["seamscope.worker.lag", ()] == 0
    stages = stage_seconds(worker_seen)
    assert set(stages) == {"normalize", "stitch", "clocks"}
    assert all(v > 0 for v in stages.values()), stages
    # Its own stages ran in the worker process, whose CPU time holds theirs; normalizing
    # too, unless a normalizing process did it.
    own = sum(v for k, v in stages.items() if k != "normalize" or not normalizing)
    assert worker_seen["seamscope.worker.process.cpu_time", ()] >= own
    # The sink's, read while it ran: every record it landed, by topic.
    assert sink_seen["seamscope.sink.rows", (("topic", JOURNEY_EVENTS),)] == total
    assert sink_seen["seamscope.sink.rows", (("topic", DEADLETTER),)] == len(bad)
    assert sink_seen["seamscope.sink.flushes", ()] >= 1
    assert sink_seen["seamscope.sink.lag", ()] == 0
