"""SLA clocks end to end: a carrier outage on the real broker and chDB, a signed webhook on
a local HTTP server, and a worker restart that neither loses clocks nor repeats alerts."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from dashboards.panels import run_panel, window_parameters
from seamscope.embedded import EmbeddedBroker
from seamscope.network import Network, parse_network
from seamscope.settings import Settings
from sinks.migrate import migrate
from sinks.queries import find_stuck
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.scenarios import fast_network, write_network
from streams.simulate import (
    FAILURE_MODES,
    Failures,
    Simulator,
    Step,
    ground_truth,
    plan_live,
    publish,
    publish_on_time,
)
from streams.topics import ALERTS
from streams.webhook import signature
from tests.helpers import ROOT, run_pipeline, start_worker, wait_for_assignment

pytestmark = pytest.mark.e2e

SECRET = "s3cret-for-tests"

NETWORK = """
nodes:
  - {id: shop, type: marketplace, ownership: partner}
  - {id: dc-east, type: warehouse, ownership: owned}
  - {id: ups-network, type: carrier, ownership: partner}
partners:
  - {id: shopify, type: marketplace, format: shopify, node: shop}
  - {id: dc-east-wms, type: warehouse, format: epcis, node: dc-east}
  - {id: ups, type: carrier, format: ups, node: ups-network, carrier: ups}
sla:
  stages:
    - {id: pick_pack, start: order_placed, end: [packed, handed_off], holder: warehouse,
       within: 24h, working_time: false}
    - {id: carrier_pickup, start: handed_off, end: [picked_up, in_transit], holder: carrier,
       within: 3s, working_time: false}
  silence: 1d
  rollup: 5
  group_wait: 2s
"""


class Receiver:
    """A local webhook endpoint that records what it is sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.loop = asyncio.new_event_loop()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((dict(request.headers), await request.read()))
        return web.Response(status=204)

    def start(self) -> None:
        async def up() -> None:
            app = web.Application()
            app.router.add_post("/hook", self.handle)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}/hook"

        self.loop.run_until_complete(up())
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.stop()


def outage(network: Network, orders: int) -> list[Step]:
    """Orders handed to the carrier a moment ago, which the carrier never scans."""
    sim = Simulator(network, seed=17)
    now = datetime.now(UTC).replace(microsecond=0)
    steps: list[Step] = []
    for _ in range(orders):
        planned = sim.plan_order(now - timedelta(hours=30))
        handed = next(s for s in planned if s.milestone.value == "handed_off")
        shift = now - timedelta(seconds=1) - handed.at
        steps.extend(
            Step(s.at + shift, s.partner, s.order, s.milestone)
            for s in planned
            if s.partner.type.value != "carrier" and s.at <= handed.at
        )
    return steps


def alerts(store: Store) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT alert_id, kind, status, partner_id, rule, journeys, incident_id, paged "
        "FROM alerts FINAL ORDER BY kind, alert_id"
    )


def stage_facts(store: Store) -> list[dict[str, Any]]:
    """The stage facts as the panels read them (FINAL: each once, withdrawn ones not)."""
    return store.rows(
        "SELECT journey_id, kind, stage, at, partner_id, ended, missed "
        "FROM journey_stages FINAL ORDER BY journey_id, kind, stage"
    )


def test_a_carrier_outage_is_one_incident_paged_once_and_survives_a_restart(
    settings: Settings, store: Store, tmp_path: Path, receiver: Receiver
) -> None:
    config = tmp_path / "network.yaml"
    config.write_text(NETWORK)
    network = parse_network(NETWORK)
    settings = settings.model_copy(
        update={"config": config, "webhook_url": receiver.url, "webhook_secret": SECRET}
    )
    steps = outage(network, 12)
    for name in ("first", "second"):
        (tmp_path / name).mkdir()

    async def until_incident() -> None:
        for _ in range(120):
            kinds = [a["kind"] for a in alerts(store)]
            outcomes = [f for f in stage_facts(store) if f["stage"] == "carrier_pickup"]
            if "incident" in kinds and kinds.count("sla_breach") == 12 and len(outcomes) == 12:
                return
            await asyncio.sleep(0.5)

    worker = start_worker(settings, tmp_path / "first", webhook_secret=SECRET)
    try:
        events = len({s.order.order_number + s.milestone.value for s in steps})
        asyncio.run(run_pipeline(settings, store, steps, [], wait_for_events=events,
                                 then=until_incident))  # fmt: skip
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)

    raised = alerts(store)
    incidents = [a for a in raised if a["kind"] == "incident"]
    breaches = [a for a in raised if a["kind"] == "sla_breach"]
    assert len(incidents) == 1, raised
    (incident,) = incidents
    assert (incident["partner_id"], incident["rule"], incident["journeys"]) == (
        "ups", "carrier_pickup", 12
    )  # fmt: skip
    assert len(breaches) == 12
    assert {b["incident_id"] for b in breaches} == {incident["alert_id"]}
    assert not any(b["paged"] for b in breaches)

    # The webhook got the incident once, signed; not one page per journey.
    pages = [(h, json.loads(body)) for h, body in receiver.calls]
    assert [p["alert_id"] for _, p in pages] == [incident["alert_id"]]
    headers, _ = pages[0]
    assert headers["X-Seamscope-Signature"] == signature(SECRET, receiver.calls[0][1])
    assert headers["X-Seamscope-Alert-Id"] == incident["alert_id"]

    # The worker filed each journey's stage facts: the SLA panel counts the 12 pickups missed.
    window = window_parameters(hours=24, until=datetime.now(UTC) + timedelta(minutes=1),
                               sla=network.sla)  # fmt: skip
    attainment = {(r["stage"], r["partner_id"]): r for r in run_panel(store, "sla_attainment",
                                                                      window)}  # fmt: skip
    pickup = attainment["carrier_pickup", "ups"]
    assert (pickup["decided"], pickup["missed_n"], pickup["still_open"]) == (12, 12, 12)
    assert sum(r["transitions"] for r in run_panel(store, "stage_latency", window)) > 12
    facts = stage_facts(store)

    # A restart replays the history: the clocks are back, nothing is raised or paged again.
    before = {(a["alert_id"], a["status"]) for a in raised}
    worker = start_worker(settings, tmp_path / "second", webhook_secret=SECRET)
    try:
        asyncio.run(run_pipeline(settings, store, [], [], wait_for_events=0,
                                 then=lambda: asyncio.sleep(8)))  # fmt: skip
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    log = (tmp_path / "second" / "worker.log").read_text()
    assert "restored" in log and "SLA clocks running: 12 journeys" in log
    assert {(a["alert_id"], a["status"]) for a in alerts(store)} == before
    assert len(receiver.calls) == 1
    # The replay filed the same stage facts again: they replace themselves, none counts twice.
    assert stage_facts(store) == facts
    assert run_panel(store, "sla_attainment", window) == list(attainment.values())


def test_a_backlog_breaches_only_what_its_own_reports_do_not_answer(
    settings: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports that waited in Kafka while the worker was away, read in small batches: the
    clocks run on what the worker has read (the records' timestamps), so an order packed
    in time, whose report is further down the backlog, never breaches; the one order
    never packed does."""
    text = NETWORK.replace("within: 24h", "within: 1h")
    config = tmp_path / "network.yaml"
    config.write_text(text)
    network = parse_network(text)
    settings = settings.model_copy(update={"config": config})
    sim = Simulator(network, seed=5)
    placed_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    placed: list[Step] = []
    packed: list[Step] = []
    for n in range(25):
        planned = {s.milestone.value: s for s in sim.plan_order(placed_at)}
        order = planned["order_placed"]
        placed.append(Step(placed_at, order.partner, order.order, order.milestone))
        if n:  # the first order is never packed
            done = planned["packed"]
            packed.append(Step(placed_at + timedelta(minutes=40), done.partner, done.order,
                               done.milestone))  # fmt: skip

    async def backlog() -> None:
        await kafka.ensure_network_topics(settings, network.raw_topics)
        producer = kafka.producer(settings)
        await producer.start()
        try:
            await publish(producer, placed + packed, stamped=True)
        finally:
            await producer.stop()

    asyncio.run(backlog())
    monkeypatch.setenv("SEAMSCOPE_WORKER_BATCH_MAX", "2")  # many batches, many ticks between
    (tmp_path / "w").mkdir()
    worker = start_worker(settings, tmp_path / "w")
    try:
        asyncio.run(run_pipeline(settings, store, [], [], wait_for_events=49,
                                 then=lambda: asyncio.sleep(4)))  # fmt: skip
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    breaches = [a for a in alerts(store) if a["kind"] == "sla_breach"]
    assert [(b["rule"], b["status"]) for b in breaches] == [("pick_pack", "open")], breaches
    (journey,) = store.rows(
        "SELECT DISTINCT journey_id AS j FROM alerts WHERE alert_id = {a:String}",
        {"a": breaches[0]["alert_id"]},
    )
    numbers = store.rows(
        "SELECT DISTINCT arrayJoin(identifier_values) AS v FROM journey_events "
        "WHERE journey_id = {j:String}",
        {"j": journey["j"]},
    )
    assert placed[0].order.order_number in {r["v"] for r in numbers}


def test_every_stuck_order_is_reported_and_nothing_else(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    speed = 3600 * 4  # a simulated hour in a quarter of a second
    base = yaml.safe_load((ROOT / "seamscope.yaml").read_text())
    network = fast_network(base, speed, silence_s=40)
    config = write_network(network, tmp_path / "network.yaml")
    settings = settings.model_copy(update={"config": config, "topic_partitions": 2})
    (tmp_path / "w").mkdir()
    worker = start_worker(settings, tmp_path / "w")
    try:
        wait_for_assignment([tmp_path / "w" / "worker.log"])
        start = datetime.now(UTC) + timedelta(seconds=2)
        sim = Simulator(network, seed=29)
        steps, truth = plan_live(
            sim, 400, start, window_s=10, speed=speed,
            failures=Failures(rate=0.12, silent_partner="tpl-west", silent_after=0.1),
        )  # fmt: skip
        assert set(truth.values()) >= {*FAILURE_MODES, "partner_silent"}
        last_deadline = steps[-1].at + timedelta(hours=100) / speed

        async def scenario() -> list[dict[str, Any]]:
            await kafka.ensure_network_topics(settings, network.raw_topics)
            producer = kafka.producer(settings)
            await producer.start()
            sink = SinkRunner(settings, store)
            task = asyncio.create_task(sink.run())
            try:
                await publish_on_time(producer, steps)
                wait = (last_deadline - datetime.now(UTC)).total_seconds() + 6
                await asyncio.sleep(max(wait, 0))
                found = find_stuck(store)
                return found
            finally:
                await producer.stop()
                sink.stop()
                await task

        reported = asyncio.run(scenario())
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    found = {r["order"] for r in reported}
    missed = {o: why for o, why in truth.items() if o not in found}
    extra = found - set(truth)
    assert not missed and not extra, (
        f"recall {1 - len(missed) / len(truth):.3f}, missed {missed}; "
        f"precision {1 - len(extra) / max(len(found), 1):.3f}, extra {sorted(extra)[:10]}"
    )

    # The same history replayed as a backfill, on event time, finds the same breaches
    # (those whose deadline the history reaches: the live run also saw time pass after it).
    lateness = 2
    live = breaches_until(store, max(s.at for s in steps) - timedelta(seconds=lateness))
    assert live
    with EmbeddedBroker(tmp_path / "backfill-broker") as broker:
        again = Store(store.url, database=f"{store.database}_backfill")
        try:
            migrate(again)
            replay = settings.model_copy(update={
                "kafka_bootstrap": broker.bootstrap, "clickhouse_database": again.database,
                "sla_clock": "event", "sla_lateness_s": lateness,
                "run_dir": tmp_path / "backfill-run",
            })  # fmt: skip
            # The history is all there before the backfill starts reading it.
            asyncio.run(run_pipeline(replay, again, steps, [], 0, then=None))
            (tmp_path / "b").mkdir()
            worker = start_worker(replay, tmp_path / "b")
            try:
                wait_for_assignment([tmp_path / "b" / "worker.log"])
                total = len(ground_truth(network, steps))

                async def settled() -> None:
                    seen = -1
                    for _ in range(60):
                        n = again.rows("SELECT count() AS n FROM alerts")[0]["n"]
                        if n == seen:
                            return
                        seen = n
                        await asyncio.sleep(2)

                asyncio.run(run_pipeline(replay, again, [], [], total, then=settled))
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
            backfilled = breaches_until(again, max(s.at for s in steps) - timedelta(seconds=2))
        finally:
            again.command(f"DROP DATABASE IF EXISTS `{again.database}`")
            again.close()
    by_key = lambda bs: {(j, r): d for j, r, d in bs}  # noqa: E731
    lk, bk = by_key(live), by_key(backfilled)
    assert backfilled == live, (
        f"live only: {sorted(set(lk) - set(bk))[:5]}; backfill only: "
        f"{sorted(set(bk) - set(lk))[:5]}; deadlines differ: "
        f"{[(k, lk[k], bk[k]) for k in set(lk) & set(bk) if lk[k] != bk[k]][:5]}; "
        f"sizes {len(live)} {len(backfilled)}"
    )


async def alert_records(settings: Settings) -> list[dict[str, Any]]:
    """Every record on the alerts topic, as published."""
    consumer = kafka.consumer(settings, None)
    await consumer.start()
    try:
        end = await kafka.assign_from_start(consumer, ALERTS)
        out: list[dict[str, Any]] = []
        while await kafka.behind(consumer, end):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out.extend(json.loads(r.value) for r in records if r.value)
        return out
    finally:
        await consumer.stop()


def breaches_until(store: Store, until: datetime) -> set[tuple[str, str, str]]:
    """(journey, stage, deadline) of every breach whose deadline passed before ``until``."""
    rows = store.rows(
        "SELECT journey_id, rule, deadline FROM alerts FINAL "
        "WHERE kind = 'sla_breach' AND deadline < {t:DateTime64(3, 'UTC')}",
        {"t": until},
    )
    return {(r["journey_id"], r["rule"], str(r["deadline"])) for r in rows}


def test_clocks_set_before_a_restart_still_fire_after_it_once(
    settings: Settings, store: Store, tmp_path: Path, receiver: Receiver
) -> None:
    text = NETWORK.replace("within: 3s", "within: 25s")
    config = tmp_path / "network.yaml"
    config.write_text(text)
    network = parse_network(text)
    settings = settings.model_copy(
        update={"config": config, "webhook_url": receiver.url, "webhook_secret": SECRET}
    )
    steps = outage(network, 8)
    deadline = max(s.at for s in steps if s.milestone.value == "handed_off") + timedelta(seconds=25)
    for name in ("first", "second"):
        (tmp_path / name).mkdir()

    worker = start_worker(settings, tmp_path / "first", webhook_secret=SECRET)
    try:
        events = len({s.order.order_number + s.milestone.value for s in steps})
        asyncio.run(run_pipeline(settings, store, steps, [], wait_for_events=events))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert datetime.now(UTC) < deadline, "the first worker should stop before the deadline"
    assert alerts(store) == []

    async def until_fired() -> None:
        for _ in range(120):
            if [a["kind"] for a in alerts(store)].count("sla_breach") == 8:
                await asyncio.sleep(3)  # anything repeated would land by now
                return
            await asyncio.sleep(0.5)

    worker = start_worker(settings, tmp_path / "second", webhook_secret=SECRET)
    try:
        asyncio.run(run_pipeline(settings, store, [], [], wait_for_events=0, then=until_fired))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    raised = alerts(store)
    assert sorted(a["kind"] for a in raised) == ["incident"] + ["sla_breach"] * 8
    # Each breach was published as opened, then as filed under the incident; the incident
    # once: nothing more, so nothing was raised twice across the restart.
    published = asyncio.run(alert_records(settings))
    assert sorted(r["kind"] for r in published) == ["incident"] + ["sla_breach"] * 16
    assert [json.loads(body)["kind"] for _, body in receiver.calls] == ["incident"]
