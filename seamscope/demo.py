"""``seamscope demo``: the whole pipeline on this machine, with live simulated traffic.

Starts the embedded broker, opens chDB (this process owns it), runs the worker as a
child process, the sink, the query API and the simulator here, tells the user what to
try, and shuts everything down cleanly on Ctrl-C.

The history it starts with is not all happy: a share of its orders get stuck the ways
real orders do (``streams.simulate.FAILURE_MODES``: never picked, never scanned by the
carrier, lost in transit, failed deliveries), and a few are picked a day late but then
finish, so the SLA clocks have breaches to open and to resolve, and the Stuck orders and
Alerts views have something to show.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from schemas.adapters.simulation import SimOrder
from seamscope.api import serve
from seamscope.embedded import EmbeddedBroker, RunState
from seamscope.network import Network
from seamscope.settings import Settings
from sinks.migrate import migrate
from sinks.queries import find_journeys
from sinks.runner import SinkRunner
from sinks.store import Store, chdb_path
from streams import kafka
from streams.simulate import Failures, Simulator, Step, plan_live, publish, publish_live

log = logging.getLogger(__name__)

#: Embedded broker joins take about half the session timeout; keep it short locally.
EMBEDDED_SESSION_TIMEOUT_MS = 3000
#: Days of history the demo starts with.
HISTORY_DAYS = 2.0
#: Share of the history's orders picked this much later than planned (then finishing).
LATE_RATE, LATE_BY = 0.05, timedelta(hours=30)


class DemoError(RuntimeError):
    """The demo cannot start; the message says why."""


def start_worker(settings: Settings, run_dir: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        SEAMSCOPE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        SEAMSCOPE_KAFKA_SESSION_TIMEOUT_MS=str(settings.kafka_session_timeout_ms),
        SEAMSCOPE_CONFIG=str(settings.config.resolve()),
        SEAMSCOPE_RUN_DIR=str(run_dir.resolve()),
    )
    log_file = (run_dir / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "seamscope", "worker"],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fresh_store_url(settings: Settings, keep: bool) -> str:
    """The demo starts from an empty embedded store unless told to keep it.

    Only the default store is wiped; a store named in SEAMSCOPE_CLICKHOUSE_URL never is.
    """
    url = settings.clickhouse_url.get_secret_value()
    if settings.is_embedded_store and not keep and "SEAMSCOPE_CLICKHOUSE_URL" not in os.environ:
        shutil.rmtree(chdb_path(url), ignore_errors=True)
    return url


def run_demo(settings: Settings, network: Network, args: argparse.Namespace) -> int:
    run_dir = settings.run_dir
    running = RunState.read(run_dir)
    if running is not None:
        raise DemoError(
            f"a demo is already running (pid {running.pid}, API {running.api_url}); "
            "stop it first or use another SEAMSCOPE_RUN_DIR"
        )
    broker = EmbeddedBroker(run_dir)
    broker.start()
    settings = settings.model_copy(
        update={
            "kafka_bootstrap": broker.bootstrap,
            "kafka_session_timeout_ms": min(
                settings.kafka_session_timeout_ms, EMBEDDED_SESSION_TIMEOUT_MS
            ),
        }
    )
    store: Store | None = None
    worker: subprocess.Popen[bytes] | None = None
    try:
        store = Store(fresh_store_url(settings, args.keep_data), settings.clickhouse_database)
        migrate(store)
        asyncio.run(kafka.ensure_network_topics(settings, network.raw_topics))
        worker = start_worker(settings, run_dir)
        asyncio.run(_serve(settings, network, store, worker, args))
    finally:
        RunState.clear(run_dir)
        if worker is not None:
            stop_process(worker)
        if store is not None:
            store.close()
        broker.stop()
    print("demo stopped; logs are in", run_dir)
    return 0


async def _serve(
    settings: Settings,
    network: Network,
    store: Store,
    worker: subprocess.Popen[bytes],
    args: argparse.Namespace,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    api_runner, api_url = await serve(store, network=network)
    RunState(
        pid=os.getpid(),
        kafka_bootstrap=settings.kafka_bootstrap,
        api_url=api_url,
        clickhouse_url=settings.clickhouse_url.get_secret_value(),
        started_at=time.time(),
    ).write(settings.run_dir)
    sink = SinkRunner(settings, store)
    sink_task = asyncio.create_task(sink.run())
    producer = kafka.producer(settings)
    await producer.start()
    sim = Simulator(network, seed=args.seed)
    history, stuck, late = plan_history(sim, args.orders, _now(), args.stuck_rate, args.seed)
    sent = await publish(producer, history)
    orders = _examples(history)
    modes = ", ".join(f"{n} {m}" for m, n in sorted(Counter(stuck.values()).items()))
    print(f"published {sent} payloads of history for {args.orders} orders "
          f"({len(stuck)} stuck: {modes or 'none'}; {len(late)} picked a day late)",
          flush=True)  # fmt: skip
    live_orders: list[SimOrder] = []
    live = asyncio.create_task(
        publish_live(producer, sim, args.rate, args.speed, stop, live_orders.append)
    )
    try:
        await _announce(settings, store, api_url, orders, worker, stop)
        while not stop.is_set():
            if worker.poll() is not None:
                print(f"the worker exited with code {worker.returncode}; see "
                      f"{settings.run_dir / 'worker.log'}", file=sys.stderr)  # fmt: skip
                stop.set()
                break
            try:
                await asyncio.wait_for(stop.wait(), timeout=10)
            except TimeoutError:
                print(f"  ... {sink.sink.rows_written} rows landed, "
                      f"{len(live_orders)} live orders so far", flush=True)  # fmt: skip
    finally:
        stop.set()
        await live
        await producer.stop()
        sink.stop()
        await sink_task
        await api_runner.cleanup()


def _now() -> datetime:
    return datetime.now(UTC)


def plan_history(
    sim: Simulator, orders: int, end: datetime, stuck_rate: float, seed: int
) -> tuple[list[Step], dict[str, str], set[str]]:
    """Orders placed evenly over the past ``HISTORY_DAYS``, the steps that have happened
    by ``end``: a share ``stuck_rate`` stuck (order number -> failure mode), and a few of
    the others picked ``LATE_BY`` late (their order numbers)."""
    start = end - timedelta(days=HISTORY_DAYS)
    window_s = HISTORY_DAYS * 86400
    steps, stuck = plan_live(sim, orders, start, window_s, 1.0, Failures(rate=stuck_rate))
    by_order: dict[str, list[Step]] = defaultdict(list)
    for s in steps:
        by_order[s.order.order_number].append(s)
    rng = random.Random(seed)  # noqa: S311 - simulation, not security
    late = {n for n in sorted(by_order) if n not in stuck and rng.random() < LATE_RATE}
    history = []
    for number, order_steps in by_order.items():
        for s in order_steps:
            if number in late and s.milestone.value != "order_placed":
                s = replace(s, at=s.at + LATE_BY)
            if s.at <= end:
                history.append(s)
    history.sort()
    return history, stuck, late


def _examples(history: list[Step]) -> list[SimOrder]:
    """Orders whose journeys are furthest along (they have the most to show)."""
    last = {}
    for step in history:
        last[step.order.order_number] = step
    done = [s.order for s in last.values() if s.milestone.value == "delivered"]
    return (done or [s.order for s in last.values()])[:3]


async def _announce(
    settings: Settings,
    store: Store,
    api_url: str,
    orders: list[SimOrder],
    worker: subprocess.Popen[bytes],
    stop: asyncio.Event,
) -> None:
    """Wait until the first example journey is queryable, then say what to try."""
    started = time.monotonic()
    while not stop.is_set() and orders:
        journeys = await asyncio.to_thread(find_journeys, store, orders[0].order_number)
        if journeys and len({e["partner_type"] for e in journeys[0].events}) >= 3:
            break
        if worker.poll() is not None:
            return
        if time.monotonic() - started > 120:
            print("no journey landed within 120 s; check the worker log", file=sys.stderr)
            break
        await asyncio.sleep(0.5)
    run = settings.run_dir
    print(
        f"""
Seamscope demo is running ({time.monotonic() - started:.0f}s to first journey).
  broker     {settings.kafka_bootstrap}   (log: {run / "broker.log"})
  store      {settings.clickhouse_url.get_secret_value()}
  web UI     {api_url}/   (and the query API under /api)
  worker     pid {worker.pid}   (log: {run / "worker.log"})

Try, in another terminal:""",
        flush=True,
    )
    for o in orders:
        print(f"  seamscope journey {o.order_number}")
    if orders:
        print(f"  seamscope journey {orders[0].tracking_number}     # a tracking number")
        print(f"  seamscope journey {orders[0].sscc}   # an SSCC")
        print(f"  seamscope journey {orders[0].order_number} --json")
    print("Ctrl-C stops everything.\n", flush=True)
