"""End to end on the real embedded broker and chDB: raw partner payloads -> journeys.

The worker runs as its own process (`python -m seamscope worker`), as in production; the
sink runs here because this process owns the chDB engine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seamscope.network import Network
from seamscope.settings import Settings
from sinks.queries import find_journeys
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.simulate import Simulator, Step, publish
from streams.topics import raw_topic
from tests.helpers import expected_events

pytestmark = pytest.mark.e2e


def wait_for_assignment(logs: list[Path], timeout: float = 60) -> None:
    """Until every worker holds raw partitions (the group has settled with all of them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tails = [p.read_text(errors="replace") if p.exists() else "" for p in logs]
        lasts = [t[t.rfind("assigned ") :] for t in tails]
        if all(t and not t.startswith("assigned 0 ") for t in lasts):
            return
        time.sleep(0.2)
    raise AssertionError(
        "workers did not settle: " + " | ".join(p.read_text()[-500:] for p in logs)
    )


def start_worker(settings: Settings, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        SEAMSCOPE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        SEAMSCOPE_KAFKA_SESSION_TIMEOUT_MS=str(settings.kafka_session_timeout_ms),
        SEAMSCOPE_CONFIG=str(settings.config),
        SEAMSCOPE_RUN_DIR=str(settings.run_dir),
        SEAMSCOPE_TOPIC_PARTITIONS=str(settings.topic_partitions),
    )
    log = (tmp_path / "worker.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "seamscope", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
    )


async def run_pipeline(
    settings: Settings,
    store: Store,
    steps: list[Step],
    extra: list[tuple[str, bytes]],
    wait_for_events: int,
    timeout: float = 90.0,
) -> None:
    await kafka.ensure_network_topics(settings, [raw_topic(p.id) for p in _partners(steps)])
    producer = kafka.producer(settings)
    await producer.start()
    try:
        await publish(producer, steps)
        for topic, value in extra:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()
    sink = SinkRunner(settings, store)
    task = asyncio.create_task(sink.run())
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            n = store.rows("SELECT count() AS n FROM journey_events")[0]["n"]
            if n >= wait_for_events:
                break
            assert not task.done(), task.exception()
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)  # let aliases and dead letters of the last batch land
    finally:
        sink.stop()
        await task


def _partners(steps: list[Step]) -> list:  # type: ignore[type-arg]
    return list({s.partner.id: s.partner for s in steps}.values())


def test_journeys_stitched_across_partners_land_in_clickhouse(
    settings: Settings, store: Store, network: Network, tmp_path: Path
) -> None:
    sim = Simulator(network, seed=11)
    steps = sim.plan_history(12, datetime.now(UTC), days=5)
    steps.reverse()  # the newest reports first: stitching must not depend on arrival order
    truth = expected_events(network, steps)
    total = sum(len(v) for v in truth.values())
    bad = [(raw_topic("shopify"), b'{"id": 1, "name": '), (raw_topic("ups"), b"\x00\xff")]

    worker = start_worker(settings, tmp_path)
    try:
        asyncio.run(run_pipeline(settings, store, steps, bad, wait_for_events=total))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    log = (tmp_path / "worker.log").read_text(errors="replace")

    landed = store.rows("SELECT count() AS n, uniqExact(event_id) AS u FROM journey_events")[0]
    assert (landed["n"], landed["u"]) == (total, total), log[-3000:]
    for order_number, event_ids in truth.items():
        journeys = find_journeys(store, order_number)
        assert len(journeys) == 1, f"order {order_number} is split over {len(journeys)} journeys"
        events = journeys[0].events
        assert {e["event_id"] for e in events} == event_ids
        times = [e["occurred_at"] for e in events]
        assert times == sorted(times)
        assert {e["partner_type"] for e in events} == {"marketplace", "warehouse", "carrier"}

    # Any partner's identifier finds the same journey.
    order = steps[0].order
    by_order = find_journeys(store, order.order_number)[0].journey_id
    assert find_journeys(store, order.tracking_number)[0].journey_id == by_order
    assert find_journeys(store, order.sscc)[0].journey_id == by_order
    assert find_journeys(store, "#" + order.order_number)[0].journey_id == by_order

    letters = store.rows(
        "SELECT partner_id, source_topic, reason, raw FROM dead_letters ORDER BY partner_id"
    )
    assert [(r["partner_id"], r["source_topic"]) for r in letters] == [
        ("shopify", raw_topic("shopify")),
        ("ups", raw_topic("ups")),
    ]
    assert letters[0]["raw"] == '{"id": 1, "name": '
    assert all(r["reason"] for r in letters)
