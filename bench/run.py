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

from aiokafka import AIOKafkaConsumer

from schemas.adapters import FORMATS
from seamscope.embedded import EmbeddedBroker
from seamscope.network import load_network
from seamscope.settings import Settings
from sinks.batching import Block
from sinks.clickhouse_sink import EVENT_COLUMNS, IDENTIFIER_COLUMNS, ClickHouseSink, event_rows
from sinks.migrate import migrate
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.pipeline import Pipeline
from streams.simulate import Simulator, Step
from streams.topics import raw_topic

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def log(msg: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


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
        PYTHONPATH=str(ROOT),
    )
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


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(30)


def sink_until_quiet(
    settings: Settings, store: Store, quiet_s: float = 3.0, target: int = 0
) -> None:
    """Run the sink until ``target`` events have landed (if given) and no new rows have
    landed for ``quiet_s`` seconds."""

    async def run() -> None:
        runner = SinkRunner(settings, store)
        task = asyncio.create_task(runner.run())
        stable, idle, last = 0, 0, -1
        while stable * 0.5 < quiet_s:
            await asyncio.sleep(0.5)
            assert not task.done(), task.exception()
            row = store.rows(
                "SELECT (SELECT uniqExact(event_id) FROM journey_events) AS events, "
                "(SELECT count() FROM journey_events) + (SELECT count() FROM "
                "journey_members) + (SELECT count() FROM dead_letters) AS n"
            )[0]
            n = row["n"]
            idle = idle + 1 if n == last else 0
            stable = stable + 1 if n == last and n > 0 and row["events"] >= target else 0
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
    settings: Settings, store: Store, expected_raw: int, run_dir: Path, workers: int = 1
) -> dict[str, float]:
    """Worker processes + sink here; throughput from the first ingest to the last row landed."""
    procs = start_workers(settings, workers, run_dir)
    try:
        sink_until_quiet(settings, store)
    finally:
        stop_workers(procs)
    row = store.rows(
        "SELECT count() AS events, uniqExact(event_id) AS unique_events, "
        "uniqExact(source_topic, source_partition, source_offset) AS raw, "
        "dateDiff('millisecond', min(ingested_at), max(ingested_at)) AS worker_ms, "
        "dateDiff('millisecond', min(ingested_at), max(landed_at)) AS e2e_ms "
        "FROM journey_events"
    )[0]
    dead = store.rows("SELECT count() AS n FROM dead_letters")[0]["n"]
    e2e_s = max(row["e2e_ms"], 1) / 1000
    return {
        "raw_messages": row["raw"] + dead,
        "expected_raw": expected_raw,
        "events": row["events"],
        "duplicate_rows": row["events"] - row["unique_events"],
        "dead_letters": dead,
        "raw_per_s": (row["raw"] + dead) / e2e_s,
        "events_per_s": row["events"] / e2e_s,
        "worker_only_raw_per_s": (row["raw"] + dead) / max(row["worker_ms"] / 1000, 0.001),
    }


def b4_sink(store: Store, messages: list[Any], repeat: int) -> dict[str, float]:
    network = load_network(ROOT / "seamscope.yaml")

    class Rec:
        def __init__(self, topic: str, value: bytes, headers: list[tuple[str, bytes]], i: int):
            self.topic, self.value, self.headers = topic, value, headers
            self.partition, self.offset, self.timestamp = 0, i, 1

    out = Pipeline(network.contexts).process(
        Rec(t, v, h, i) for i, (t, _, v, h) in enumerate(messages)
    )
    payloads = [r.value for r in out.records if r.topic == "seamscope.journey-events"]
    sink = ClickHouseSink(store, len(payloads))
    events: list[list[Any]] = []
    idents: list[list[Any]] = []
    for p in payloads:
        event_rows(p, events, idents)
    t_sink = t_bare = 0.0
    for k in range(repeat):
        recs = [Rec("seamscope.journey-events", p, [], k * len(payloads) + i)
                for i, p in enumerate(payloads)]  # fmt: skip
        block = Block("seamscope.journey-events", 0, recs[0].offset, recs[-1].offset, recs)
        t0 = time.perf_counter()
        sink.write(block)
        t_sink += time.perf_counter() - t0
        t0 = time.perf_counter()
        store.insert("journey_events", events, EVENT_COLUMNS, dedup_token=f"bare-e-{k}")
        store.insert("identifiers", idents, IDENTIFIER_COLUMNS, dedup_token=f"bare-i-{k}")
        t_bare += time.perf_counter() - t0
    rows = repeat * len(payloads)
    return {"rows": rows, "sink_rows_per_s": rows / t_sink, "bare_rows_per_s": rows / t_bare}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a short run (a few thousand orders)")
    ap.add_argument("--orders", type=int, help="orders to simulate (default 2,000 / 8,000)")
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
            results["b2"] = b2_pipeline(settings, store, n, run_dir)
            log("B4 sink vs bare insert")
            results["b4"] = b4_sink(store, messages[: min(n, 20000)], repeat=3)
            store.close()
        finally:
            broker.stop()
    results["seconds"] = time.perf_counter() - started
    write(results)
    return 0


def write(r: dict[str, Any]) -> None:
    b0, b1, b2, b4 = r["b0_per_s"], r["b1_per_s"], r["b2"], r["b4"]
    rows = [
        ("B0 bare aiokafka consume + JSON parse", f"{b0:,.0f} msg/s", "1.00 x B0"),
        ("B1 bare faust agent", f"{b1:,.0f} msg/s", f"{b1 / b0:.3f} x B0"),
        ("B2 full pipeline, raw msgs to ClickHouse", f"{b2['raw_per_s']:,.0f} msg/s",
         f"{b2['raw_per_s'] / b0:.3f} x B0, {b2['raw_per_s'] / b1:.2f} x B1"),
        ("B2 canonical events landed", f"{b2['events_per_s']:,.0f} events/s", ""),
        ("B2 worker alone (first to last ingest)", f"{b2['worker_only_raw_per_s']:,.0f} msg/s",
         f"{b2['worker_only_raw_per_s'] / b0:.3f} x B0"),
        ("B4 sink write (convert + insert)", f"{b4['sink_rows_per_s']:,.0f} events/s",
         f"{b4['sink_rows_per_s'] / b4['bare_rows_per_s']:.2f} x bare insert"),
        ("B4 bare clickhouse-connect insert", f"{b4['bare_rows_per_s']:,.0f} events/s", ""),
    ]  # fmt: skip
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
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = r["started_at"][:19].replace(":", "")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(r, indent=2))
    (RESULTS / "latest.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    raise SystemExit(main())
