"""B3 freshness: at a steady rate of raw partner payloads, how long from produce to visible
in ClickHouse, and how long after an SLA deadline its breach alert is visible.

    python -m bench.freshness --rate 2000 --seconds 60

Orders are played live on a sped-up clock (``plan_live`` over the ``fast_network`` SLA
stages), some made to fail so that breach deadlines fall during the run. Orders start
before the measured window, so the payload rate is steady from its first second; each
second's payloads are spread evenly over that second. The partners are a process of their
own (rendering and sending, pacing unaffected by the sink); each payload's send time is
recorded with the partition and offset the broker gave it. The worker runs as a process,
the sink here, as in ``bench.run``. Every ``POLL_S`` a poller looks for parts (inserts) of
``journey_events``, ``alerts`` and ``dead_letters`` it has not read yet and reads their
rows: a row is visible at the end of the first poll that returns it (an upper bound, by at
most one poll and its query). Alerts are timed against their deadline, also as published
on the alerts topic and as opened by the worker's clock, to tell where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import yaml

from bench.run import RESULTS, ROOT, log, start_workers, stop_workers
from schemas.adapters import FORMATS
from schemas.canonical import PartnerType
from seamscope.embedded import EmbeddedBroker
from seamscope.network import Network, load_network
from seamscope.settings import Settings
from sinks.migrate import migrate
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.scenarios import fast_network, write_network
from streams.simulate import Failures, Simulator, Step, plan_live
from streams.topics import ALERTS, raw_topic

#: A simulated hour passes in 3600/SPEED real seconds: a journey takes about 20 s.
SPEED = 3600 * 4
#: Orders start this long before the measured window, so its rate is steady from the start.
WARM_S = 25.0
POLL_S = 0.1
#: Rendering the payloads is planned to finish before the window opens; when it overruns
#: (the machine is busy), it is planned again further ahead, at most this many times.
RENDER_ATTEMPTS = 3
#: After the last payload, wait at most this long for stragglers.
GRACE_S = 30.0
TARGETS = {"visible_p50_s": 1.0, "visible_p99_s": 3.0, "alert_delay_p99_s": 2.0}

_NOW = datetime(2026, 1, 1, tzinfo=UTC)
RawKey = tuple[str, int, int]
Rows = list[dict[str, Any]]
Polled = tuple[float, float, Rows, Rows, Rows]  # poll start, end, events, dead letters, alerts


@dataclass(frozen=True)
class Message:
    due: float  # wall-clock time to send it
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: list[float]) -> dict[str, float | int | None]:
    def r(v: float | None) -> float | None:
        return round(v, 3) if v is not None else None

    return {
        "n": len(values),
        "p50_s": r(pct(values, 0.5)),
        "p90_s": r(pct(values, 0.9)),
        "p99_s": r(pct(values, 0.99)),
        "max_s": r(max(values)) if values else None,
        "mean_s": r(statistics.fmean(values)) if values else None,
    }


def _key(step: Step) -> bytes:
    o = step.order
    return (
        o.tracking_number if step.partner.type is PartnerType.carrier else o.order_number
    ).encode()


def payloads_per_order(network: Network) -> float:
    """How many payloads an order's reports come to, on average."""
    pilot, _ = plan_live(Simulator(network, seed=3), 200, _NOW, 10, SPEED, Failures(rate=0.05))
    return sum(len(FORMATS[s.partner.format].renderer.render(s.order, s.milestone, s.at))
               for s in pilot) / 200  # fmt: skip


def plan_messages(
    network: Network, rate: float, seconds: float, t0: datetime, per_order: float
) -> list[Message]:
    """About ``rate`` payloads a second from ``t0`` for ``seconds``, then the tail of the
    orders already under way; payloads of one (whole) second are spread over it."""
    sim = Simulator(network, seed=11)
    orders = round(rate / per_order * (seconds + WARM_S))
    start = t0 - timedelta(seconds=WARM_S)
    steps, _ = plan_live(sim, orders, start, seconds + WARM_S, SPEED, Failures(rate=0.05))
    by_second: dict[datetime, list[tuple[Step, Any]]] = {}
    for s in steps:
        if s.at < t0:
            continue  # the order was under way before the window: its early reports are past
        for p in FORMATS[s.partner.format].renderer.render(s.order, s.milestone, s.at):
            by_second.setdefault(s.at, []).append((s, p))
    out: list[Message] = []
    for at in sorted(by_second):
        batch = by_second[at]
        base = at.timestamp()
        for i, (s, p) in enumerate(batch):
            headers = [(k, v.encode()) for k, v in p.headers.items()]
            out.append(Message(base + i / len(batch), raw_topic(s.partner.id), _key(s), p.value,
                               headers))  # fmt: skip
    return out


class Visibility:
    """Polls the store for rows not seen before; records when each was first returned."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.events: dict[tuple[str, int, int, str], float] = {}  # (raw key, event id) -> t
        self.landed: dict[tuple[str, int, int, str], float] = {}  # -> landed_at
        self.ingested: dict[tuple[str, int, int, str], float] = {}  # -> the worker's ingested_at
        self.dead: dict[RawKey, float] = {}
        self.alerts: dict[str, tuple[float, float, float]] = {}  # id -> (seen, deadline, opened)
        self.polls: list[float] = []
        self.parts: set[tuple[str, str]] = set()  # active (table, part) already read
        self.raw_seen: set[RawKey] = set()

    def query(self) -> Polled:
        """Run in a thread: the rows of parts (inserts) not seen before. One cheap look at
        the parts, then rows only from tables with new parts. A part merged from others is
        new too: only its recent rows are read (an insert merged before a poll saw it), and
        the final check counts any row the polls never saw."""
        started = time.time()
        parts = self.store.rows(
            "SELECT table, name, level FROM system.parts WHERE database = {db:String} "
            "AND table IN ('journey_events', 'dead_letters', 'alerts') AND active",
            {"db": self.store.database},
        )
        new: dict[str, dict[str, Any]] = {}
        for p in parts:
            if (p["table"], p["name"]) not in self.parts:
                got = new.setdefault(p["table"], {"inserted": [], "merged": []})
                got["inserted" if p["level"] == 0 else "merged"].append(p["name"])
        self.parts = {(p["table"], p["name"]) for p in parts}
        recent = {"recent": int((started - 60) * 1000)}
        where = (
            "(_part IN {inserted:Array(String)} OR (_part IN {merged:Array(String)} "
            "AND %s >= fromUnixTimestamp64Milli({recent:Int64})))"
        )
        rows = dead = alerts = []
        if "journey_events" in new:
            rows = self.store.rows(
                "SELECT source_topic AS t, source_partition AS p, source_offset AS o, "
                "event_id AS e, toUnixTimestamp64Milli(landed_at) AS l, "
                "toUnixTimestamp64Milli(ingested_at) AS i FROM journey_events WHERE "
                + where
                % "landed_at",
                new["journey_events"] | recent,
            )
        if "dead_letters" in new:
            dead = self.store.rows(
                "SELECT source_topic AS t, source_partition AS p, source_offset AS o "
                "FROM dead_letters WHERE " + where % "failed_at",
                new["dead_letters"] | recent,
            )
        if "alerts" in new:
            alerts = self.store.rows(
                "SELECT alert_id AS a, toUnixTimestamp64Milli(any(deadline)) AS d, "
                "toUnixTimestamp64Milli(min(opened_at)) AS o FROM alerts "
                "WHERE kind = 'sla_breach' AND " + where % "opened_at" + " GROUP BY alert_id",
                new["alerts"] | recent,
            )
        return started, time.time(), rows, dead, alerts

    def apply(
        self, started: float, seen: float, rows: Rows, dead: Rows, alerts: Rows
    ) -> None:  # fmt: skip
        """In the event loop: record what this poll saw first."""
        self.polls.append(seen - started)
        for r in rows:
            k = (r["t"], r["p"], r["o"], r["e"])
            if k not in self.events:
                self.events[k] = seen
                self.landed[k] = r["l"] / 1000
                self.ingested[k] = r["i"] / 1000
                self.raw_seen.add(k[:3])
        for r in dead:
            k3 = (r["t"], r["p"], r["o"])
            self.dead.setdefault(k3, seen)
            self.raw_seen.add(k3)
        for r in alerts:
            if r["a"] not in self.alerts:
                self.alerts[r["a"]] = (seen, r["d"] / 1000, r["o"] / 1000)


async def _published_alerts(
    settings: Settings, seen: dict[str, float], stop: asyncio.Event
) -> None:
    """When each breach alert is first published on the alerts topic."""
    consumer = kafka.consumer(settings, None)
    await consumer.start()
    try:
        await kafka.assign_from_start(consumer, ALERTS)
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=100, max_records=10_000)
            now = time.time()
            for records in batches.values():
                for r in records:
                    a = orjson.loads(r.value or b"{}")
                    if a.get("kind") == "sla_breach":
                        seen.setdefault(a["alert_id"], now)
    finally:
        await consumer.stop()


def _worker_ready(run_dir: Path) -> bool:
    return "assigned" in (run_dir / "worker0.log").read_text(errors="replace")


def produce(bootstrap: str, config: str, rate: float, seconds: float, out: str) -> None:
    """The partners, in a process of their own so that they keep their pace whatever the
    sink does in this one: render every payload before the window opens, send each when
    due, and write down when it was sent and where it went."""
    asyncio.run(_produce(bootstrap, Path(config), rate, seconds, Path(out)))


async def _produce(bootstrap: str, config: Path, rate: float, seconds: float, out: Path) -> None:
    network = load_network(config)
    per_order = payloads_per_order(network)
    # Time a small plan to know how long before the window opens to start rendering it.
    started = time.perf_counter()
    pilot = plan_messages(network, 500, 5, _NOW, per_order)
    expected = len(pilot) * rate / 500 * (seconds + WARM_S) / (5 + WARM_S)
    lead = 3.0 + 1.5 * (time.perf_counter() - started) / len(pilot) * expected
    for attempt in range(1, RENDER_ATTEMPTS + 1):
        began = time.perf_counter()
        t0 = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0)
        messages = plan_messages(network, rate, seconds, t0, per_order)
        ahead = (t0 - datetime.now(UTC)).total_seconds()
        log(f"{len(messages)} payloads rendered; the window opens in {ahead:.1f} s")
        if ahead >= 1.0:
            break
        # Rendering overran the window's start (a busy machine): sent now, the first
        # seconds would be a burst, not the steady rate. Plan again, further ahead.
        lead = 3.0 + 2.0 * (time.perf_counter() - began)
        if attempt == RENDER_ATTEMPTS:
            raise RuntimeError(f"rendering did not finish before the window {attempt} times")
        log(f"rendering overran the window's start; planning again {lead:.0f} s ahead")
    producer = kafka.producer(Settings(kafka_bootstrap=bootstrap))
    await producer.start()
    try:
        sent_at: list[float] = []
        futures = []
        for m in messages:
            wait = m.due - time.time()
            if wait > 0.001:
                await asyncio.sleep(wait)
            sent_at.append(time.time())
            futures.append(await producer.send(m.topic, m.value, key=m.key, headers=m.headers))
        metas = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    sent = [[md.topic, md.partition, md.offset, at, m.due]
            for md, at, m in zip(metas, sent_at, messages, strict=True)]  # fmt: skip
    out.write_text(json.dumps({"t0": t0.timestamp(), "sent": sent}))


async def _scenario(
    settings: Settings, store: Store, rate: float, seconds: float, run_dir: Path
) -> dict[str, Any]:
    sink = SinkRunner(settings, store)
    sink_task = asyncio.create_task(sink.run())
    stop_alerts = asyncio.Event()
    published: dict[str, float] = {}
    alert_task = asyncio.create_task(_published_alerts(settings, published, stop_alerts))
    vis = Visibility(store)
    polling = asyncio.Event()

    async def poller() -> None:
        while not polling.is_set():
            began = time.monotonic()
            vis.apply(*await asyncio.to_thread(vis.query))
            await asyncio.sleep(max(0.0, POLL_S - (time.monotonic() - began)))
        vis.apply(*await asyncio.to_thread(vis.query))  # what the sink's last flush wrote

    poll_task: asyncio.Task[None] | None = None
    try:
        ready_by = time.monotonic() + 120
        while not (_worker_ready(run_dir) and getattr(sink, "consumer", None)
                   and sink.consumer.assignment()):  # fmt: skip
            if time.monotonic() > ready_by:
                raise RuntimeError("the worker or the sink did not start within 120 s")
            if sink_task.done():
                sink_task.result()
            await asyncio.sleep(0.2)
        poll_task = asyncio.create_task(poller())
        out = run_dir / "produced.json"
        partners = multiprocessing.get_context("spawn").Process(
            target=produce,
            args=(settings.kafka_bootstrap, str(settings.config), rate, seconds, str(out)),
        )
        partners.start()
        await asyncio.to_thread(partners.join)
        if partners.exitcode != 0:
            raise RuntimeError(f"the producer process failed ({partners.exitcode})")
        produced = json.loads(out.read_text())
        t0: float = produced["t0"]
        sent: dict[RawKey, float] = {(t, p, o): at for t, p, o, at, _ in produced["sent"]}
        sent_at = [at for *_, at, _ in produced["sent"]]
        send_lag = [at - due for *_, at, due in produced["sent"]]
        window_end = t0 + seconds
        last_sent = max(sent_at)
        log(f"all {len(sent)} payloads sent; waiting for them to be visible")
        last_deadline = last_sent + 100 * 3600 / SPEED + 3
        while time.time() < max(last_deadline, last_sent + 5):
            if time.time() > last_sent + GRACE_S:
                break
            if vis.raw_seen >= sent.keys() and time.time() >= last_deadline:
                break
            await asyncio.sleep(0.5)
    finally:
        stop_alerts.set()
        await alert_task
        sink.stop()  # it writes what it holds on the way out: polled once more below
        await sink_task
        polling.set()
        if poll_task:
            await poll_task

    # Everything that landed, for the check that the poller missed nothing.
    final = store.rows(
        "SELECT source_topic AS t, source_partition AS p, source_offset AS o, event_id AS e "
        "FROM journey_events"
    )
    landed_keys = {(r["t"], r["p"], r["o"], r["e"]) for r in final}
    in_window = {k for k, t in sent.items() if t < window_end}
    visible = [t - sent[k[:3]] for k, t in vis.events.items() if k[:3] in in_window]
    landed = [vis.landed[k] - sent[k[:3]] for k in vis.events if k[:3] in in_window]
    ingested = [vis.ingested[k] - sent[k[:3]] for k in vis.events if k[:3] in in_window]
    after_worker = [t - vis.ingested[k] for k, t in vis.events.items() if k[:3] in in_window]
    alerts = [(seen - deadline, opened - deadline, published.get(a))
              for a, (seen, deadline, opened) in vis.alerts.items()]  # fmt: skip
    per_second: dict[int, int] = {}
    for t in sent_at:
        per_second[int(t - t0)] = per_second.get(int(t - t0), 0) + 1
    steady = [per_second.get(s, 0) for s in range(int(seconds))]
    return {
        "rate_target": rate,
        "seconds": seconds,
        "payloads_sent": len(sent),
        "payloads_in_window": len(in_window),
        "rate_achieved_per_s": round(len(in_window) / seconds, 1),
        "rate_per_second_min_max": [min(steady), max(steady)] if steady else None,
        "send_lag_p99_s": round(pct(send_lag, 0.99) or 0, 4),
        "event_rows_visible": len(vis.events),
        "dead_letters": len(vis.dead),
        "payloads_never_visible": len(sent.keys() - vis.raw_seen),
        "events_missed_by_poller": len(landed_keys - vis.events.keys()),
        "visible": summary(visible),
        "ingested_at": summary(ingested),  # produce -> the worker read it
        "landed_at": summary(landed),  # produce -> the sink's insert began
        "worker_to_visible": summary(after_worker),  # the worker's ingested_at -> visible
        "alerts": {
            "breaches": len(alerts),
            "visible_after_deadline": summary([a[0] for a in alerts]),
            "opened_after_deadline": summary([a[1] for a in alerts]),
            "published_after_deadline": summary(
                [p - (vis.alerts[a][1]) for a, p in published.items() if a in vis.alerts]
            ),
            "published_never_visible": len(published.keys() - vis.alerts.keys()),
        },
        "poll": {"interval_s": POLL_S, **summary(vis.polls)},
        "sink": {
            "flush_interval_s": settings.sink_flush_interval_s,
            "batch_max_rows": settings.sink_batch_max_rows,
            "flushes": sink.flushes,
            "flush_mean_s": round(sink.flush_seconds / max(sink.flushes, 1), 3),
            "flush_max_s": round(sink.flush_seconds_max, 3),
        },
    }


def run(rate: float, seconds: float) -> dict[str, Any]:
    """The whole bench in a process of its own (chDB allows one data folder per process, so
    a caller with a store open can call this); returns the figures, see ``table``."""
    with tempfile.TemporaryDirectory(prefix="seamscope-fresh-") as tmp:
        out = Path(tmp) / "freshness.json"
        subprocess.run(
            [sys.executable, "-m", "bench.freshness", "--rate", str(rate), "--seconds",
             str(seconds), "--out", str(out)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def run_here(
    rate: float, seconds: float, settings_overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole bench on a fresh embedded stack, in this process (which must have no chDB
    store open); returns the figures, see ``table``."""
    base = yaml.safe_load((ROOT / "seamscope.yaml").read_text())
    network = fast_network(base, SPEED, silence_s=3600)
    with tempfile.TemporaryDirectory(prefix="seamscope-fresh-") as tmp:
        run_dir = Path(tmp)
        config = write_network(network, run_dir / "network.yaml")
        with EmbeddedBroker(run_dir / "broker") as broker:
            settings = Settings(
                kafka_bootstrap=broker.bootstrap, kafka_session_timeout_ms=2000,
                clickhouse_url=f"chdb://{run_dir / 'store'}", run_dir=run_dir, config=config,
                **(settings_overrides or {}),
            )  # fmt: skip
            store = Store(settings.clickhouse_url.get_secret_value(), "fresh")
            migrate(store)
            asyncio.run(kafka.ensure_network_topics(settings, network.raw_topics))
            procs = start_workers(settings, 1, run_dir)
            try:
                result = asyncio.run(_scenario(settings, store, rate, seconds, run_dir))
            finally:
                stop_workers(procs)
                store.close()
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / "freshness-worker0.log").write_bytes((run_dir / "worker0.log").read_bytes())
    result["targets"] = TARGETS
    result["started_at"] = datetime.now(UTC).isoformat()
    return result


def table(r: dict[str, Any]) -> str:
    v, a = r["visible"], r["alerts"]

    def s(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f} s"

    rows = [
        ("produce -> visible in ClickHouse, p50", s(v["p50_s"]), "<= 1 s"),
        ("produce -> visible in ClickHouse, p99", s(v["p99_s"]), "<= 3 s"),
        ("produce -> visible, max", s(v["max_s"]), ""),
        ("produce -> read by the worker (ingested_at), p50", s(r["ingested_at"]["p50_s"]), ""),
        ("worker (ingested_at) -> visible, p50", s(r["worker_to_visible"]["p50_s"]), ""),
        ("worker (ingested_at) -> visible, p99", s(r["worker_to_visible"]["p99_s"]), ""),
        ("SLA deadline -> breach alert visible, p50", s(a["visible_after_deadline"]["p50_s"]), ""),
        ("SLA deadline -> breach alert visible, p99", s(a["visible_after_deadline"]["p99_s"]),
         "<= 2 s"),
        ("SLA deadline -> alert published, p99", s(a["published_after_deadline"]["p99_s"]), ""),
        ("SLA deadline -> alert opened (worker clock), p99",
         s(a["opened_after_deadline"]["p99_s"]), ""),
    ]  # fmt: skip
    return "\n".join([
        f"# B3 freshness: {r['rate_achieved_per_s']:,.0f} payloads/s for {r['seconds']:.0f} s "
        f"(target {r['rate_target']:,.0f}/s)",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        *(f"| {m} | {f} | {t} |" for m, f, t in rows),
        "",
        f"{r['payloads_sent']} payloads sent ({r['payloads_in_window']} in the window, "
        f"{r['rate_per_second_min_max']} per second min/max), {r['event_rows_visible']} event "
        f"rows visible, {r['dead_letters']} dead letters; payloads never visible: "
        f"{r['payloads_never_visible']}; rows the poller missed: {r['events_missed_by_poller']}; "
        f"{a['breaches']} breach alerts ({a['published_never_visible']} published, never "
        f"visible). Poll every {r['poll']['interval_s']} s (query p99 {s(r['poll']['p99_s'])}); "
        f"sink: flush every {r['sink']['flush_interval_s']} s, {r['sink']['flushes']} flushes "
        f"(alerts' included), mean write {r['sink']['flush_mean_s']} s.",
    ])  # fmt: skip


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=2000, help="raw payloads per second")
    ap.add_argument("--seconds", type=float, default=60, help="length of the steady window")
    ap.add_argument("--flush-interval", type=float, help="override sink_flush_interval_s")
    ap.add_argument("--flush-idle", type=float, help="override sink_flush_idle_s")
    ap.add_argument("--out", type=Path, default=RESULTS / "freshness.json", help="JSON here")
    args = ap.parse_args(list(argv) if argv is not None else None)
    overrides = {
        name: value
        for name, value in (("sink_flush_interval_s", args.flush_interval),
                            ("sink_flush_idle_s", args.flush_idle))
        if value is not None
    }  # fmt: skip
    result = run_here(args.rate, args.seconds, overrides)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
