"""Helpers for tests: simulated raw records, and landing them without Kafka."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from opentelemetry.sdk.metrics.export import MetricReader

from schemas.adapters import FORMATS
from schemas.canonical import JourneyEvent
from seamscope.network import Network
from seamscope.settings import Settings
from sinks.batching import Block
from sinks.clickhouse_sink import (
    EVENT_COLUMNS,
    IDENTIFIER_COLUMNS,
    ClickHouseSink,
    event_rows,
)
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.pipeline import Pipeline
from streams.simulate import Step, ground_truth, publish
from streams.topics import IDENTITY, raw_topic

ROOT = Path(__file__).resolve().parents[1]


class Rec:
    """A Kafka record as the pipeline and the sink read it."""

    def __init__(self, topic: str, value: bytes, headers: list[tuple[str, bytes]], offset: int):
        self.topic, self.value, self.headers = topic, value, headers
        self.partition, self.offset, self.timestamp = 0, offset, 1


def raw_records(network: Network, steps: list[Step]) -> list[Rec]:
    """The raw partner payloads of simulated steps, as records of their partners' topics."""
    out: list[Rec] = []
    for s in steps:
        for p in FORMATS[s.partner.format].renderer.render(s.order, s.milestone, s.at):
            headers = [(k, v.encode()) for k, v in p.headers.items()]
            out.append(Rec(raw_topic(s.partner.id), p.value, headers, len(out)))
    return out


def land(
    store: Store, network: Network, records: list[Rec], pipeline: Pipeline | None = None
) -> None:
    """Run raw records through the worker's pipeline and the sink, without Kafka."""
    out = (pipeline or Pipeline(network.contexts)).process(records)
    sink = ClickHouseSink(store, max_rows=10**9)
    by_topic: dict[str, list[Rec]] = {}
    for r in out.records:
        by_topic.setdefault(r.topic, []).append(Rec(r.topic, r.value, [], 0))
    for topic, recs in by_topic.items():
        if topic == IDENTITY:
            continue
        for i, rec in enumerate(recs):
            rec.offset = i
        sink.write(Block(topic, 0, 0, len(recs) - 1, recs))


def insert_events(store: Store, *events: JourneyEvent) -> None:
    """Events straight into journey_events and identifiers, as the sink converts them."""
    rows: list[list[object]] = []
    idents: list[list[object]] = []
    for e in events:
        event_rows(e.model_dump_json().encode(), rows, idents)
    store.insert("journey_events", rows, EVENT_COLUMNS)
    store.insert("identifiers", idents, IDENTIFIER_COLUMNS)


def expected_events(network: Network, steps: list[Step]) -> dict[str, set[str]]:
    """Ground truth: order number -> the event ids its partners' payloads stand for."""
    by_order: dict[str, set[str]] = defaultdict(set)
    for event_id, orders in ground_truth(network, steps).items():
        for o in orders:
            by_order[o].add(event_id)
    return by_order


def wait_for_assignment(logs: list[Path], timeout: float = 60) -> None:
    """Until every worker holds raw partitions (the group has settled with all of them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tails = [p.read_text(errors="replace") if p.exists() else "" for p in logs]
        lasts = [t[t.rfind("assigned ") :] if "assigned " in t else "" for t in tails]
        if all(t and not t.startswith("assigned 0 ") for t in lasts):
            return
        if any("seamscope: " in t for t in tails):
            break  # a worker died
        time.sleep(0.2)
    raise AssertionError(
        "workers did not settle: " + " | ".join(p.read_text()[-500:] for p in logs)
    )


def start_worker(
    settings: Settings, tmp_path: Path, webhook_secret: str = ""
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        SEAMSCOPE_KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        SEAMSCOPE_KAFKA_SESSION_TIMEOUT_MS=str(settings.kafka_session_timeout_ms),
        SEAMSCOPE_CONFIG=str(settings.config),
        SEAMSCOPE_RUN_DIR=str(settings.run_dir),
        SEAMSCOPE_TOPIC_PARTITIONS=str(settings.topic_partitions),
        SEAMSCOPE_WEBHOOK_URL=settings.webhook_url,
        SEAMSCOPE_WEBHOOK_SECRET=webhook_secret,
        SEAMSCOPE_SLA_CLOCK=settings.sla_clock,
        SEAMSCOPE_SLA_LATENESS_S=str(settings.sla_lateness_s),
        SEAMSCOPE_METRICS_EXPORTER=settings.metrics_exporter,
        SEAMSCOPE_METRICS_INTERVAL_S=str(settings.metrics_interval_s),
    )
    if settings.worker_normalize_processes is not None:
        env["SEAMSCOPE_WORKER_NORMALIZE_PROCESSES"] = str(settings.worker_normalize_processes)
    log = (tmp_path / "worker.log").open("wb")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
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
    then: Callable[[], Awaitable[None]] | None = None,
    metric_readers: Sequence[MetricReader] = (),
) -> None:
    """Publish the steps, then run the sink (metered by ``metric_readers``) until
    ``wait_for_events`` events have landed (and whatever ``then`` waits for)."""
    await kafka.ensure_network_topics(settings, [raw_topic(p.id) for p in _partners(steps)])
    producer = kafka.producer(settings)
    await producer.start()
    try:
        await publish(producer, steps)
        for topic, value in extra:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()
    sink = SinkRunner(settings, store, metric_readers)
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
        if then is not None:
            await then()
    finally:
        sink.stop()
        await task


def _partners(steps: list[Step]) -> list:  # type: ignore[type-arg]
    return list({s.partner.id: s.partner for s in steps}.values())
