"""Stitching under disorder, end to end: two worker processes, four partitions, shuffled
and duplicated reports with split shipments, relabels, cancellations and clock skew."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seamscope.network import Network
from seamscope.settings import Settings
from sinks.queries import event_journeys, find_journeys
from sinks.store import Store
from streams.simulate import Disorder, Simulator, ground_truth
from streams.stitch import journey_id_for
from tests.helpers import run_pipeline, start_worker, wait_for_assignment

pytestmark = pytest.mark.e2e


def test_every_event_lands_on_its_true_order_with_two_workers(
    settings: Settings, store: Store, network: Network, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"topic_partitions": 4})
    sim = Simulator(network, seed=23)
    disorder = Disorder(split_rate=0.4, relabel_rate=0.2, cancel_rate=0.05)
    steps = sim.plan_disorder(150, datetime.now(UTC), disorder, days=4)
    truth = ground_truth(network, steps)
    expected = {e: {journey_id_for(f"order::{o}") for o in orders} for e, orders in truth.items()}

    for i in range(2):
        (tmp_path / f"w{i}").mkdir()
    workers = [start_worker(settings, tmp_path / f"w{i}") for i in range(2)]
    try:
        wait_for_assignment([tmp_path / f"w{i}" / "worker.log" for i in range(2)])
        asyncio.run(run_pipeline(settings, store, steps, [], wait_for_events=len(truth)))
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)

    landed = event_journeys(store)
    assert set(landed) == set(expected)
    wrong = {e: (landed[e], expected[e]) for e in expected if landed[e] != expected[e]}
    assert not wrong, (
        f"{len(wrong)} of {len(expected)} events misplaced, e.g. {next(iter(wrong.items()))}"
    )
    counts = store.rows("SELECT count() AS n, uniqExact(event_id) AS u FROM journey_events FINAL")
    assert counts[0]["n"] == counts[0]["u"] == len(expected)

    # A split-shipment order shows every package and carrier leg, whichever id is asked.
    tracking: dict[str, set[str]] = {}
    for s in steps:
        tracking.setdefault(s.order.order_number, set()).add(s.order.tracking_number)
    order_number, numbers = max(tracking.items(), key=lambda kv: len(kv[1]))
    assert len(numbers) >= 2
    for asked in (order_number, *numbers):
        (journey,) = find_journeys(store, asked)
        assert journey.journey_id == journey_id_for(f"order::{order_number}")
        shown = {i["value"] for i in journey.identifiers if i["type"] == "tracking_number"}
        assert {n.upper() for n in numbers} <= shown
        carriers = {e["partner_id"] for e in journey.events if e["partner_type"] == "carrier"}
        assert carriers


def test_a_restarted_worker_rebuilds_its_identity_graph(
    settings: Settings, store: Store, network: Network, tmp_path: Path
) -> None:
    steps = Simulator(network, seed=31).plan_history(10, datetime.now(UTC), days=6)
    links = [s for s in steps if s.partner.type.value != "carrier"]
    scans = [s for s in steps if s.partner.type.value == "carrier"]
    first_events = len(ground_truth(network, links))
    for name in ("first", "second"):
        (tmp_path / name).mkdir()

    worker = start_worker(settings, tmp_path / "first")
    try:
        asyncio.run(run_pipeline(settings, store, links, [], wait_for_events=first_events))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)

    # A new process: it knows the links only through the identity topic.
    worker = start_worker(settings, tmp_path / "second")
    try:
        total = len(ground_truth(network, steps))
        asyncio.run(run_pipeline(settings, store, scans, [], wait_for_events=total))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    log = (tmp_path / "second" / "worker.log").read_text()
    assert "identity graph rebuilt from" in log
    filed = store.rows(
        "SELECT DISTINCT journey_id FROM journey_events FINAL WHERE partner_type = 'carrier'"
    )
    orders = {s.order.order_number for s in scans}
    assert {r["journey_id"] for r in filed} == {journey_id_for(f"order::{o}") for o in orders}
