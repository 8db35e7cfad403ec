"""Seamscope benchmarks on the embedded stack, as ratios against baselines of the same run.

    python -m bench.run            # the full set
    python -m bench.run --quick    # a short run

B0  ceiling: a bare aiokafka consumer reading and JSON-parsing the raw partner messages
B1  framework floor: a bare faust agent passing the same messages through
B2  full pipeline: raw payloads -> worker (normalize, stitch) -> sink -> rows in ClickHouse
B4  sink: rows/s through the ClickHouse sink vs a bare clickhouse-connect insert

Results go to bench/results/<stamp>.json and bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from schemas.adapters import FORMATS
from seamscope.embedded import EmbeddedBroker
from seamscope.network import load_network
from seamscope.settings import Settings
from seamscope.telemetry import console_exports, metric_values, stage_seconds
from sinks.batching import Block
from sinks.clickhouse_sink import EVENT_COLUMNS, IDENTIFIER_COLUMNS, ClickHouseSink, event_rows
from sinks.migrate import migrate
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.normalizing import default_processes
from streams.pipeline import Pipeline
from streams.simulate import Simulator, Step
from streams.topics import JOURNEY_EVENTS, JOURNEYS, STAGE_FACTS, raw_topic
from streams.worker import WORKER_GROUP

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def log(msg: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


class BenchRecord:
    """A raw record as the pipeline reads it from Kafka (partition 0, offset ``i``)."""

    def __init__(self, topic: str, value: bytes, headers: list[tuple[str, bytes]], i: int):
        self.topic, self.value, self.headers = topic, value, headers
        self.partition, self.offset, self.timestamp = 0, i, 1


def plan(orders: int) -> list[Step]:
    network = load_network(ROOT / "seamscope.yaml")
    return Simulator(network, seed=42).plan_history(orders, datetime.now(UTC), days=4)


def rendered(steps: list[Step]) -> list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]]:
    out = []
    for s in steps:
        for p in FORMATS[s.partner.format].renderer.render(s.order, s.milestone, s.at):
            headers = [(k, v.encode()) for k, v in p.headers.items()]
            out.append((raw_topic(s.partner.id), s.order.order_number.encode(), p.value, headers))
    return out


async def produce_raw(settings: Settings, messages: list[Any]) -> float:
    network = load_network(ROOT / "seamscope.yaml")
    await kafka.ensure_network_topics(settings, network.raw_topics)
    producer = kafka.producer(settings, linger_ms=20)
    await producer.start()
    t0 = time.perf_counter()
    try:
        futures = [
            await producer.send(topic, value, key=key, headers=headers)
            for topic, key, value, headers in messages
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(messages) / (time.perf_counter() - t0)


async def b0_bare_consumer(settings: Settings, topics: list[str], n: int) -> float:
    c = AIOKafkaConsumer(
        *topics, **settings.kafka_client_options(), group_id="bench-b0",
        auto_offset_reset="earliest", enable_auto_commit=False,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_session_timeout_ms // 3,
    )  # fmt: skip
    await c.start()
    seen, t0 = 0, 0.0
    try:
        while seen < n:
            batches = await c.getmany(timeout_ms=500, max_records=5000)
            for records in batches.values():
                if not t0:
                    t0 = time.perf_counter()
                for r in records:
                    if r.value and r.value[:1] in (b"{", b"["):
                        json.loads(r.value)
                    seen += 1
        return seen / (time.perf_counter() - t0)
    finally:
        await c.stop()


def b1_faust_floor(settings: Settings, topics: list[str], n: int, run_dir: Path) -> float:
    env = dict(os.environ, BENCH_BOOTSTRAP=settings.kafka_bootstrap, BENCH_TOPICS=",".join(topics),
               BENCH_N=str(n), BENCH_DATADIR=str(run_dir / "faust-floor"))  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "bench.faust_floor"], env=env, capture_output=True, text=True,
        timeout=600, cwd=ROOT,
    )  # fmt: skip
    found = re.search(r'\{"per_s": [^}]*\}', proc.stdout + proc.stderr)  # faust logs stdout
    if found:
        return float(json.loads(found.group(0))["per_s"])
    raise RuntimeError(f"faust floor gave no result:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")


def start_workers(settings: Settings, n: int, run_dir: Path) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    env.update(
        SEAMSCOPE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        SEAMSCOPE_KAFKA_SESSION_TIMEOUT_MS=str(settings.kafka_session_timeout_ms),
        SEAMSCOPE_TOPIC_PARTITIONS=str(settings.topic_partitions),
        SEAMSCOPE_CONFIG=str(
            settings.config if settings.config.is_absolute() else ROOT / settings.config
        ),
        SEAMSCOPE_RUN_DIR=str(run_dir),
        SEAMSCOPE_LOG_LEVEL="INFO",
        # The worker's own metrics (CPU per stage), exported once: on stopping.
        SEAMSCOPE_METRICS_EXPORTER="console",
        SEAMSCOPE_METRICS_INTERVAL_S="86400",
        PYTHONPATH=str(ROOT),
    )
    if settings.worker_normalize_processes is not None:
        env["SEAMSCOPE_WORKER_NORMALIZE_PROCESSES"] = str(settings.worker_normalize_processes)
    procs = []
    for i in range(n):
        log_file = (run_dir / f"worker{i}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "seamscope", "worker"],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        )
    return procs


def _stat_cpu(stat: str) -> float:
    """User + system CPU seconds from a /proc ``stat`` line."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used (Linux /proc)."""
    return _stat_cpu(Path(f"/proc/{pid}/stat").read_text())


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a live process and of its live descendants (a worker's normalizing
    processes), Linux /proc."""
    children: dict[int, list[int]] = {}
    spent: dict[int, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(proc.name))
        spent[int(proc.name)] = _stat_cpu(stat)
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += spent.get(p, 0.0)
        todo.extend(children.get(p, ()))
    return total


#: chDB's background merge threads, by name.
MERGE_THREADS = "MergeMutate"


def merge_cpu_seconds() -> dict[str, float]:
    """CPU seconds of this process's chDB merge threads, by thread id (Linux /proc)."""
    spent = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            if (task / "comm").read_text().startswith(MERGE_THREADS):
                spent[task.name] = _stat_cpu((task / "stat").read_text())
        except OSError:  # the thread ended meanwhile
            continue
    return spent


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(30)


def sink_until_quiet(
    settings: Settings, store: Store, quiet_s: float = 3.0, target: int = 0, raw_target: int = 0
) -> None:
    """Run the sink until ``target`` events have landed and ``raw_target`` raw payloads
    are accounted for (as events or dead letters), if given, and no new rows have landed
    for ``quiet_s`` seconds."""

    async def run() -> None:
        runner = SinkRunner(settings, store)
        task = asyncio.create_task(runner.run())
        stable, idle, last = 0, 0, -1
        while stable * 0.5 < quiet_s:
            await asyncio.sleep(0.5)
            assert not task.done(), task.exception()
            # Row counts come from the parts' metadata: the sink's store is shared and
            # locked, so this poll must cost it next to nothing; and it waits for the lock
            # in a thread, not holding up the sink's event loop while the sink writes.
            # Distinct events and raw payloads (a scan) are counted only once enough rows
            # are there.
            row = (
                await asyncio.to_thread(
                    store.rows,
                    "SELECT (SELECT count() FROM journey_events) AS events, "
                    "(SELECT count() FROM dead_letters) AS dead, "
                    "events + (SELECT count() FROM journey_members) + dead AS n",
                )
            )[0]
            n = row["n"]
            idle = idle + 1 if n == last else 0
            done = row["events"] >= target and row["events"] + row["dead"] >= raw_target
            if done and n == last:
                row = (
                    await asyncio.to_thread(
                        store.rows,
                        "SELECT (SELECT uniqExact(event_id) FROM journey_events) AS events, "
                        "(SELECT uniqExact(source_topic, source_partition, source_offset) "
                        "FROM journey_events) + (SELECT count() FROM dead_letters) AS raw",
                    )
                )[0]
                done = row["events"] >= target and row["raw"] >= raw_target
            stable = stable + 1 if n == last and n > 0 and done else 0
            last = n
            if idle * 0.5 > 120:
                log(
                    f"no progress for 2 minutes at {row['events']} of {target} events; "
                    f"sink holds {runner.sink.pending_rows} rows; plans: "
                    f"{ {k: list(p.plan) for k, p in runner.sink._parts.items() if p.plan} }"
                )
                break
        runner.stop()
        await task

    asyncio.run(run())


def b2_pipeline(
    settings: Settings,
    store: Store,
    expected_raw: int,
    run_dir: Path,
    workers: int = 1,
    broker_pid: int | None = None,
) -> dict[str, float]:
    """Worker processes + sink here; throughput from the first ingest to the last row landed.
    Where the CPU went: each process's CPU seconds over the run (the workers' include their
    start-up; the sink's, this process's, include the bench's own progress queries)."""
    broker_cpu = cpu_seconds(broker_pid) if broker_pid else 0.0
    procs = start_workers(settings, workers, run_dir)
    sink_cpu, merges_before = time.process_time(), merge_cpu_seconds()
    try:
        sink_until_quiet(settings, store, raw_target=expected_raw)
        sink_cpu = time.process_time() - sink_cpu
        # Merge threads live as long as the store: one that ended during the run would
        # take its share with it, so this is at least what merges cost.
        merge_cpu = sum(
            spent - merges_before.get(tid, 0.0) for tid, spent in merge_cpu_seconds().items()
        )
        worker_cpu = sum(tree_cpu_seconds(p.pid) for p in procs)
        worker_own_cpu = sum(cpu_seconds(p.pid) for p in procs)  # (not its normalizing ones)
        broker_cpu = cpu_seconds(broker_pid) - broker_cpu if broker_pid else 0.0
    finally:
        stop_workers(procs)
    metered = metered_stages(run_dir, len(procs))
    row = store.rows(
        "SELECT count() AS events, uniqExact(event_id) AS unique_events, "
        "uniqExact(source_topic, source_partition, source_offset) AS raw, "
        "dateDiff('millisecond', min(ingested_at), max(ingested_at)) AS worker_ms, "
        "dateDiff('millisecond', min(ingested_at), max(landed_at)) AS e2e_ms "
        "FROM journey_events"
    )[0]
    dead = store.rows("SELECT count() AS n FROM dead_letters")[0]["n"]
    e2e_s = max(row["e2e_ms"], 1) / 1000
    # Redelivered batches (a rebalance mid-batch) land twice until the table's merge
    # collapses them by event id; queries read deduplicated. Merged now, to show it.
    store.command("OPTIMIZE TABLE journey_events FINAL")
    merged = store.rows("SELECT count() AS n FROM journey_events")[0]["n"]
    return {
        "duplicate_rows_after_merge": merged - row["unique_events"],
        "raw_messages": row["raw"] + dead,
        "expected_raw": expected_raw,
        "events": row["events"],
        "duplicate_rows": row["events"] - row["unique_events"],
        "dead_letters": dead,
        "raw_per_s": (row["raw"] + dead) / e2e_s,
        "events_per_s": row["events"] / e2e_s,
        "worker_only_raw_per_s": (row["raw"] + dead) / max(row["worker_ms"] / 1000, 0.001),
        # CPU per raw payload, microseconds: what each process costs the machine's 2 cores.
        "worker_cpu_us_per_raw": 1e6 * worker_cpu / max(row["raw"] + dead, 1),
        "worker_own_cpu_us_per_raw": 1e6 * worker_own_cpu / max(row["raw"] + dead, 1),
        "sink_cpu_us_per_raw": 1e6 * sink_cpu / max(row["raw"] + dead, 1),
        # Of the sink's: ClickHouse merging the parts its inserts wrote, in the background.
        "sink_merge_cpu_us_per_raw": 1e6 * merge_cpu / max(row["raw"] + dead, 1),
        "broker_cpu_us_per_raw": 1e6 * broker_cpu / max(row["raw"] + dead, 1),
        # As the workers metered themselves (OpenTelemetry), start-up and history included.
        "metered_us_per_raw": {k: 1e6 * v / max(row["raw"] + dead, 1) for k, v in metered.items()},
    }


def metered_stages(run_dir: Path, workers: int) -> dict[str, float]:
    """CPU seconds by stage that the workers' last metrics export reported, summed."""
    total: dict[str, float] = {}
    for i in range(workers):
        exports = console_exports((run_dir / f"worker{i}.log").read_text(errors="replace"))
        if not exports:
            log(f"worker {i} exported no metrics; see {run_dir / f'worker{i}.log'}")
            continue
        for stage, seconds in stage_seconds(metric_values(exports[-1])).items():
            total[stage] = total.get(stage, 0.0) + seconds
    return total


def b4_sink(store: Store, messages: list[Any], repeat: int) -> dict[str, float]:
    network = load_network(ROOT / "seamscope.yaml")
    out = Pipeline(network.contexts).process(
        BenchRecord(t, v, h, i) for i, (t, _, v, h) in enumerate(messages)
    )
    payloads = [r.value for r in out.records if r.topic == "seamscope.journey-events"]
    sink = ClickHouseSink(store, len(payloads))
    # The bare side inserts exactly the rows the sink's records become, each table's in one
    # plain insert (columns, types, deduplication token), into the same tables; the sink
    # hands the records' JSON to the store, whose views make those rows.
    events: list[list[Any]] = []
    idents: list[list[Any]] = []
    for p in payloads:
        event_rows(p, events, idents)
    sink_s: list[float] = []
    bare_s: list[float] = []
    for k in range(repeat + 1):  # round 0 warms both paths up and is not counted
        recs = [BenchRecord("seamscope.journey-events", p, [], k * len(payloads) + i)
                for i, p in enumerate(payloads)]  # fmt: skip
        block = Block("seamscope.journey-events", 0, recs[0].offset, recs[-1].offset, recs)
        t0 = time.perf_counter()
        sink.record_ledger([[block]])  # the sink's whole write path: ledger, convert, insert
        sink.write(block)
        sink_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        store.insert("journey_events", events, EVENT_COLUMNS, dedup_token=f"bare-e-{k}")
        store.insert("identifiers", idents, IDENTIFIER_COLUMNS, dedup_token=f"bare-i-{k}")
        bare_s.append(time.perf_counter() - t0)
    n = len(payloads)
    # Rounds alternate, so both sides see the same machine; the fastest round of each is the
    # one least disturbed by anything else running (the means are kept too).
    return {
        "rows": repeat * n,
        "sink_rows_per_s": n / min(sink_s[1:]),
        "bare_rows_per_s": n / min(bare_s[1:]),
        "sink_rows_per_s_mean": repeat * n / sum(sink_s[1:]),
        "bare_rows_per_s_mean": repeat * n / sum(bare_s[1:]),
    }


def b2_fresh(
    orders: int, workers: int, base: Path, normalizing: int | None = None
) -> dict[str, Any]:
    """B2 on a broker and store of its own: ``orders`` simulated, ``workers`` processes,
    each with ``normalizing`` normalizing processes (None: as many as they would start)."""
    if normalizing is None:
        normalizing = default_processes()
    name = f"{orders}_{workers}_{normalizing}"
    run_dir = base / f"b2-{name}"
    run_dir.mkdir()
    with EmbeddedBroker(run_dir / "broker") as broker:
        settings = Settings(
            kafka_bootstrap=broker.bootstrap, kafka_session_timeout_ms=2000,
            clickhouse_url=f"chdb://{base / 'store'}", run_dir=run_dir,
            worker_normalize_processes=normalizing,
        )  # fmt: skip
        store = Store(settings.clickhouse_url.get_secret_value(), f"bench_{name}")
        try:
            migrate(store)
            messages = rendered(plan(orders))
            log(
                f"B2: {orders} orders ({len(messages)} raw payloads), {workers} worker(s), "
                f"{normalizing} normalizing process(es) each"
            )
            asyncio.run(produce_raw(settings, messages))
            result = b2_pipeline(settings, store, len(messages), run_dir, workers, broker.pid)
        finally:
            store.command(f"DROP DATABASE IF EXISTS `{store.database}`")
            store.close()
    return {"orders": orders, "workers": workers, "normalizing": normalizing, **result}


def b2_worker_alone(orders: int, normalizing: int, base: Path) -> dict[str, Any]:
    """One worker on its own (no sink, nothing reading its output; the broker beside
    it): raw payloads per second from its first commit to the commit of the last,
    normalizing in the worker or in ``normalizing`` processes of its own. Where the
    worker would go on a machine with cores to spare for the broker and the sink."""
    run_dir = base / f"worker-alone-{orders}-{normalizing}"
    run_dir.mkdir()
    with EmbeddedBroker(run_dir / "broker") as broker:
        settings = Settings(
            kafka_bootstrap=broker.bootstrap, kafka_session_timeout_ms=2000, run_dir=run_dir,
            worker_normalize_processes=normalizing,
        )  # fmt: skip
        messages = rendered(plan(orders))
        log(f"B2 worker alone: {len(messages)} raw payloads, {normalizing} normalizing process(es)")
        asyncio.run(produce_raw(settings, messages))
        procs = start_workers(settings, 1, run_dir)
        try:
            first_s, last_s = asyncio.run(_commits(settings, len(messages)))
            cpu = tree_cpu_seconds(procs[0].pid)
            own = cpu_seconds(procs[0].pid)
        finally:
            stop_workers(procs)
    n = len(messages)
    return {
        "normalizing": normalizing,
        "raw_messages": n,
        "raw_per_s": n / max(last_s - first_s, 0.001),
        # start-up included, as in B2
        "worker_cpu_us_per_raw": 1e6 * cpu / n,
        "normalizing_cpu_us_per_raw": 1e6 * (cpu - own) / n,
    }


async def _commits(settings: Settings, n: int, timeout_s: float = 600.0) -> tuple[float, float]:
    """When the worker group first committed raw offsets, and when it had committed all
    ``n`` raw payloads (perf_counter seconds)."""
    network = load_network(ROOT / "seamscope.yaml")
    consumer = kafka.consumer(settings, WORKER_GROUP)
    await consumer.start()
    try:
        parts = [
            TopicPartition(t, p)
            for t in network.raw_topics
            for p in range(settings.topic_partitions)
        ]
        first, deadline = 0.0, time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            committed = [await consumer.committed(tp) for tp in parts]
            done = sum(c or 0 for c in committed)
            if done and not first:
                first = time.perf_counter()
            if done >= n:
                return first, time.perf_counter()
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the worker committed {done} of {n} raw payloads in {timeout_s:.0f} s")
    finally:
        await consumer.stop()


def _in_own_process(module: str, *args: str) -> dict[str, Any]:
    """Run a bench module in a fresh process (clean heap and RSS); its last line of JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True, text=True, timeout=3600, cwd=ROOT, check=True,
    )  # fmt: skip
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def b2_stages(orders: int) -> dict[str, Any]:
    """The worker's stages measured in a process of their own, without Kafka."""
    return _in_own_process("bench.stages", "--orders", str(orders))


def b6_memory(journeys: int) -> dict[str, Any]:
    """Worker state for ``journeys`` open journeys, in a process of its own (clean RSS)."""
    return _in_own_process("bench.memory", "--journeys", str(journeys))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a short run (a few thousand orders)")
    ap.add_argument("--orders", type=int, help="orders to simulate (default 2,000 / 8,000)")
    ap.add_argument("--rate", type=float, default=2000.0, help="B3 steady rate (payloads/s)")
    args = ap.parse_args()
    orders = args.orders or (2000 if args.quick else 8000)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(), "quick": args.quick, "orders": orders,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="seamscope-bench-") as tmp:
        run_dir = Path(tmp)
        broker = EmbeddedBroker(run_dir / "broker")
        broker.start()
        try:
            settings = Settings(
                kafka_bootstrap=broker.bootstrap, kafka_session_timeout_ms=2000,
                clickhouse_url=f"chdb://{run_dir / 'store'}", run_dir=run_dir,
            )  # fmt: skip
            store = Store(settings.clickhouse_url.get_secret_value(), "bench")
            migrate(store)
            log(f"simulating {orders} orders")
            messages = rendered(plan(orders))
            topics = sorted({m[0] for m in messages})
            n = len(messages)
            log(f"producing {n} raw payloads across {len(topics)} topics")
            results["produce_per_s"] = asyncio.run(produce_raw(settings, messages))
            log("B0 bare aiokafka consumer")
            results["b0_per_s"] = asyncio.run(b0_bare_consumer(settings, topics, n))
            log("B1 bare faust agent")
            results["b1_per_s"] = b1_faust_floor(settings, topics, n, run_dir)
            log("B2 full pipeline")
            results["b2"] = b2_pipeline(settings, store, n, run_dir, broker_pid=broker.pid)
            log("B4 sink vs bare insert")
            results["b4"] = b4_sink(store, messages[: min(n, 20000)], repeat=3)
            store.close()
        finally:
            broker.stop()
        # How B2 grows: twice the orders on one worker, the same orders on two, and on one
        # that normalizes in its own process (none of its own, or one if it has none).
        # Two workers get the cores' worth of normalizing processes between them: one
        # each would have more processes than cores.
        own = default_processes()
        results["b2_runs"] = [
            {"orders": orders, "workers": 1, "normalizing": own, **results["b2"]},
            b2_fresh(orders, 2, run_dir, normalizing=own // 2),
            b2_fresh(orders * 2, 1, run_dir),
            b2_fresh(orders, 1, run_dir, normalizing=0 if own else 1),
        ]
        results["b2_worker_alone"] = [b2_worker_alone(orders, k, run_dir) for k in (0, 1)]
    log("B2 worker stages in one process, without Kafka")
    results["b2_stages"] = b2_stages(orders)
    from bench import freshness, queries  # they import this module's helpers

    seconds = 20 if args.quick else 60
    log(f"B3 freshness at {args.rate:,.0f} payloads/s for {seconds} s")
    results["b3"] = freshness.run(args.rate, seconds)
    b5_sizes = ((200_000, 20_000), (500_000, 50_000))
    if not args.quick:
        b5_sizes = ((1_000_000, 100_000), (10_000_000, 1_000_000))
    results["b5"] = []
    for events, journeys in b5_sizes:
        log(f"B5 queries over {events:,} events, {journeys:,} journeys")
        results["b5"].append(queries.run(events, journeys, repeats=5 if args.quick else 20))
    sizes = (100_000,) if args.quick else (100_000, 1_000_000)
    results["b6"] = []
    for journeys in sizes:
        log(f"B6 worker memory with {journeys:,} open journeys")
        results["b6"].append(b6_memory(journeys))
    results["seconds"] = time.perf_counter() - started
    write(results)
    return 0


def _cpu_per_raw(b2: dict[str, Any]) -> list[float]:
    """A B2 run's CPU per raw payload, microseconds: worker(s), sink, broker."""
    return [b2[f"{p}_cpu_us_per_raw"] for p in ("worker", "sink", "broker")]


def write(r: dict[str, Any]) -> None:
    b0, b1, b2, b4 = r["b0_per_s"], r["b1_per_s"], r["b2"], r["b4"]
    cpu_us = sum(_cpu_per_raw(b2))
    cores = r["machine"]["cpus"] or 1
    # One worker process can use one core; its normalizing processes, others.
    own_us = b2["worker_own_cpu_us_per_raw"]
    bound = min(cores * 1e6 / cpu_us, 1e6 / own_us)
    stage_rows: list[tuple[str, str, str]] = []
    stages = r.get("b2_stages")
    if stages:
        spent = [stages[f"{s}_us_per_raw"] for s in ("normalize", "stitch_encode", "sla")]
        costly = list(stages["normalize_us_by_format"].items())
        stage_rows = [
            ("B2 worker stages in one process, no Kafka: normalize / stitch + encode / SLA "
             "clocks", " / ".join(f"{us:,.0f}" for us in spent) + " us per payload",
             f"{sum(spent):,.0f} us = {sum(spent) / b2['worker_cpu_us_per_raw']:.2f} x the "
             "worker's B2 CPU; the rest is Kafka, the event loop, start-up and the hand-over "
             "to normalizing processes"),
            ("B2 normalizing alone, costliest / cheapest formats",
             ", ".join(f"{f} {us:,.0f}" for f, us in costly[:3]) + " us",
             ", ".join(f"{f} {us:,.0f}" for f, us in costly[-2:]) + " us"),
        ]  # fmt: skip
    metered = b2.get("metered_us_per_raw")
    if metered:
        stage_rows.append((
            "B2 worker stages as the worker meters them in the run (OpenTelemetry, "
            "`seamscope.worker.stage.cpu_time`): " + " / ".join(metered),
            " / ".join(f"{us:,.0f}" for us in metered.values()) + " us per payload",
            f"{sum(metered.values()):,.0f} us = "
            f"{sum(metered.values()) / b2['worker_cpu_us_per_raw']:.2f} x the worker's B2 CPU",
        ))  # fmt: skip
    if stages and "sink_us_per_raw" in stages:
        read, insert = stages["sink_read_us_per_raw"], stages["sink_insert_us_per_raw"]
        names = {JOURNEY_EVENTS: "events", JOURNEYS: "journeys", STAGE_FACTS: "stage facts"}
        stage_rows.append((
            "B2 sink stages in one process, no Kafka: records read into rows + inserted "
            "(ClickHouse and its views, which read events and stage facts), by topic",
            ", ".join(f"{names.get(t, t)} {read[t]:,.1f} + {insert[t]:,.1f}" for t in read)
            + " us per payload",
            f"{stages['sink_us_per_raw']:,.0f} us in all (with the ledger and merges) = "
            f"{stages['sink_us_per_raw'] / b2['sink_cpu_us_per_raw']:.2f} x the sink's B2 CPU; "
            "the rest is Kafka, the event loop and the merges that follow",
        ))  # fmt: skip
    rows = [
        ("B0 bare aiokafka consume + JSON parse", f"{b0:,.0f} msg/s", "1.00 x B0"),
        ("B1 bare faust agent", f"{b1:,.0f} msg/s", f"{b1 / b0:.3f} x B0"),
        (f"B2 full pipeline, raw msgs to ClickHouse (1 worker, {r['b2_runs'][0]['normalizing']} "
         "normalizing process(es))", f"{b2['raw_per_s']:,.0f} msg/s",
         f"{b2['raw_per_s'] / b0:.3f} x B0, {b2['raw_per_s'] / b1:.2f} x B1"),
        ("B2 canonical events landed", f"{b2['events_per_s']:,.0f} events/s", ""),
        ("B2 worker alone (first to last ingest)", f"{b2['worker_only_raw_per_s']:,.0f} msg/s",
         f"{b2['worker_only_raw_per_s'] / b0:.3f} x B0"),
        ("B2 CPU per raw payload: worker (with its normalizing processes) / sink / broker",
         f"{b2['worker_cpu_us_per_raw']:,.0f} / {b2['sink_cpu_us_per_raw']:,.0f} / "
         f"{b2['broker_cpu_us_per_raw']:,.0f} us",
         f"{1e6 / cpu_us:,.0f} payloads per CPU-second in all; the worker process itself "
         f"{own_us:,.0f} us; of the sink's, ClickHouse's background merges "
         f"{b2['sink_merge_cpu_us_per_raw']:,.0f} us"),
        # What bounds B2 at this CPU cost: all of the machine's cores, and one core for the
        # worker (one process). The lower bound is what limits it; B2 is how close it came.
        # The workers' CPU includes their start-up, so in a short run the bound is low.
        ("B2 bound by CPU (start-up included): all cores / one worker's core",
         f"{cores * 1e6 / cpu_us:,.0f} / {1e6 / own_us:,.0f} msg/s",
         f"{cores} cores; B2 reached {b2['raw_per_s'] / bound:.2f} x the lower; 10,000/s needs "
         f"<= {cores * 1e6 / 10_000:,.0f} us per payload in all"),
        *stage_rows,
        ("B4 sink write (convert + insert)", f"{b4['sink_rows_per_s']:,.0f} events/s",
         f"{b4['sink_rows_per_s'] / b4['bare_rows_per_s']:.2f} x bare insert"),
        ("B4 bare clickhouse-connect insert", f"{b4['bare_rows_per_s']:,.0f} events/s", ""),
    ]  # fmt: skip
    base = r["b2_runs"][0]
    for run in r["b2_runs"][1:]:
        run_cpu = _cpu_per_raw(run)
        rows.append((
            f"B2 {run['orders']:,} orders, {run['workers']} worker(s), "
            f"{run['normalizing']} normalizing process(es) each",
            f"{run['events_per_s']:,.0f} events/s",
            f"{run['events_per_s'] / base['events_per_s']:.2f} x B2 ({base['orders']:,} orders, "
            f"1 worker, {base['normalizing']} normalizing); "
            "CPU per payload worker(s) / sink / broker "
            f"{' / '.join(f'{us:,.0f}' for us in run_cpu)} us "
            f"({sum(run_cpu) / cpu_us:.2f} x B2's); {run['raw_messages']}/{run['expected_raw']} "
            f"raw accounted for, {run['duplicate_rows']} redelivered rows before merge, "
            f"{run['duplicate_rows_after_merge']} after",
        ))  # fmt: skip
    alone = r.get("b2_worker_alone")
    if alone:
        here, away = alone
        rows.append((
            "B2 worker alone, no sink (broker beside it): normalizing in the worker / in a "
            "process of its own",
            f"{here['raw_per_s']:,.0f} / {away['raw_per_s']:,.0f} msg/s",
            f"{away['raw_per_s'] / here['raw_per_s']:.2f} x; CPU per payload "
            f"{here['worker_cpu_us_per_raw']:,.0f} / {away['worker_cpu_us_per_raw']:,.0f} us "
            f"(of which the normalizing process {away['normalizing_cpu_us_per_raw']:,.0f})",
        ))  # fmt: skip
    b3 = r["b3"]
    visible, alert = b3["visible"], b3["alerts"]["visible_after_deadline"]
    rows.append((
        f"B3 produce -> visible in ClickHouse at {b3['rate_achieved_per_s']:,.0f} payloads/s",
        f"p50 {visible['p50_s']:.2f} s, p99 {visible['p99_s']:.2f} s",
        f"target p50 <= 1 s, p99 <= 3 s; {b3['payloads_never_visible']} never visible",
    ))  # fmt: skip
    rows.append((
        "B3 SLA deadline -> breach alert visible",
        f"p50 {alert['p50_s']:.2f} s, p99 {alert['p99_s']:.2f} s",
        f"target p99 <= 2 s ({b3['alerts']['breaches']} breaches)",
    ))  # fmt: skip
    b5_first = r["b5"][0]
    for b5 in r["b5"]:
        for group, label in (("lookup", "journey lookup (worst id type)"), ("stuck", "stuck list"),
                             ("panel", "dashboard panel (worst)")):  # fmt: skip
            timed = [q for q in b5["queries"] if q["group"] == group and q["rows_max"]]
            if not timed:
                continue
            worst = max(timed, key=lambda q: q["p95_ms"])
            first = [q for q in b5_first["queries"] if q["query"] == worst["query"]]
            grow = f"; {worst['p95_ms'] / first[0]['p95_ms']:.1f} x at the first size" if (
                first and b5 is not b5_first) else ""  # fmt: skip
            rows.append((
                f"B5 {label}, {b5['events']:,} events / {b5['journeys']:,} journeys",
                f"p95 {worst['p95_ms']:,.0f} ms (p50 {worst['p50_ms']:,.0f})",
                f"{worst['query']}; target {worst['target_ms']:,.0f} ms{grow}",
            ))  # fmt: skip
    for m in r["b6"]:
        rows.append((
            f"B6 worker state, {m['journeys']:,} open journeys",
            f"{m['rss_after_mb']:,.0f} MB RSS",
            f"{m['bytes_per_journey']:,.0f} bytes/journey (graph + SLA clocks; "
            f"{m.get('sla_packed', 0):,} packed); target 2 GB at 1M",
        ))  # fmt: skip
    md = [
        f"# Seamscope bench {r['started_at']} ({'quick' if r['quick'] else 'full'}, "
        f"{r['orders']} orders, {r['b2']['expected_raw']} raw payloads)",
        "",
        "| benchmark | figure | ratio |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        f"B2 checks: {r['b2']['raw_messages']} of {r['b2']['expected_raw']} raw payloads "
        f"accounted for, {r['b2']['events']} events, {r['b2']['duplicate_rows']} duplicate rows, "
        f"{r['b2']['dead_letters']} dead letters. Run took {r['seconds']:.0f} s.",
    ]
    from bench import freshness, queries

    md += ["", freshness.table(r["b3"]), *("\n" + queries.markdown(b5) for b5 in r["b5"])]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = r["started_at"][:19].replace(":", "")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(r, indent=2))
    (RESULTS / "latest.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    raise SystemExit(main())
