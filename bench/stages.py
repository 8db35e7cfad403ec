"""B2's stages measured in one process, without Kafka: where the worker's and the sink's
CPU goes.

    python -m bench.stages --orders 8000

The same payloads as B2, in the worker's batch sizes, through the worker's own code: the
whole pipeline (normalize, then stitch and encode the records to produce), then the SLA
clocks observing what the pipeline produced (alerts and stage facts encoded for sending,
not sent); and each partner format's normalizing on its own. CPU time of this process,
best of a few rounds, each on a fresh pipeline and fresh clocks.

Then the sink's own code writes what each round produced into a fresh embedded store,
in flushes of the sink's size, topic by topic as B2's sink would: reading the records into
rows, and inserting them (ClickHouse's CPU and its materialized views included: chDB runs
in this process), and in all (with the ledger, and the merges running meanwhile); the round
that took least in all is kept. Prints one JSON line.

B2's worker CPU per payload less the worker's stages is what the worker spends on Kafka
(fetch, decode, produce, acks), the event loop and its start-up; its sink CPU less the
sink's stages is what the sink spends on Kafka.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bench.run import ROOT, BenchRecord, plan, rendered
from seamscope.network import load_network
from seamscope.runtime import freeze_heap, tune_gc
from seamscope.settings import Settings
from sinks.batching import Block
from sinks.clickhouse_sink import ClickHouseSink, Rows
from sinks.migrate import migrate
from sinks.runner import SINK_TOPICS
from sinks.store import Store
from streams.pipeline import BatchOutput, Pipeline, normalize_record
from streams.sla_service import SlaService
from streams.worker import CHUNK


class _Timed(Pipeline):
    """The pipeline, keeping the CPU time its batches spend normalizing."""

    normalizing = 0.0

    def _normalize(self, batch: list[Any], now: datetime) -> list[Any]:
        started = time.process_time()
        try:
            return super()._normalize(batch, now)
        finally:
            self.normalizing += time.process_time() - started


class _Encoded:
    """Where the SLA clocks' records go here: they are encoded, and kept (topic, value)."""

    def __init__(self) -> None:
        self.records: list[tuple[str, bytes]] = []

    async def send(self, records: Iterable[Any]) -> None:
        self.records.extend((r[0], r[2]) for r in records)


class _TimedSink(ClickHouseSink):
    """The sink, keeping the CPU time each topic's records spend becoming rows and being
    inserted (events and stage facts go in as JSON lines that the store's views read into
    rows: all of that is inserting)."""

    def __init__(self, store: Store, max_rows: int) -> None:
        super().__init__(store, max_rows)
        self.reading: dict[str, float] = defaultdict(float)
        self.inserting: dict[str, float] = defaultdict(float)
        self._topic = ""

    def write_group(self, blocks: Sequence[Block], token: str) -> None:
        self._topic = blocks[0].topic
        super().write_group(blocks, token)

    @contextmanager
    def _timed(self, spent: dict[str, float]) -> Iterator[None]:
        """Add the CPU time of the block inside to the current topic's ``spent``."""
        started = time.process_time()
        try:
            yield
        finally:
            spent[self._topic] += time.process_time() - started

    def _convert(
        self, blocks: Sequence[Block], token: str, convert: Callable[[bytes], None]
    ) -> None:
        with self._timed(self.reading):
            super()._convert(blocks, token, convert)

    def _insert(self, table: str, rows: Rows, columns: Sequence[str], token: str) -> None:
        with self._timed(self.inserting):
            super()._insert(table, rows, columns, token)

    def _land_lines(self, table: str, blocks: Sequence[Block], token: str) -> bool:
        with self._timed(self.inserting):
            return super()._land_lines(table, blocks, token)


def sink_stages(produced: list[tuple[str, bytes]], payloads: int) -> dict[str, Any]:
    """Write what the worker produced (topic, value; in order) with the sink's own code
    into a fresh embedded store: a flush each time the sink's buffer is full, one insert
    per topic and table, as B2's sink writes at saturation. CPU per payload, by topic."""
    settings = Settings()
    ours = [(t, v) for t, v in produced if t in SINK_TOPICS]
    with tempfile.TemporaryDirectory(prefix="seamscope-stages-") as tmp:
        store = Store(f"chdb://{tmp}/store", "stages")
        migrate(store)
        sink = _TimedSink(store, settings.sink_batch_max_rows)
        flushes = []
        for first in range(0, len(ours), sink.max_rows):
            by_topic: dict[str, list[BenchRecord]] = defaultdict(list)
            for i, (topic, value) in enumerate(ours[first : first + sink.max_rows], first):
                by_topic[topic].append(BenchRecord(topic, value, [], i))
            flushes.append([
                Block(t, 0, rs[0].offset, rs[-1].offset, rs)
                for t in SINK_TOPICS  # in the order a flush writes them
                if (rs := by_topic.get(t))
            ])  # fmt: skip
        started = time.process_time()
        for blocks in flushes:
            sink.record_ledger([[b] for b in blocks])
            for block in blocks:
                sink.write(block)
        spent = time.process_time() - started
        store.close()
    records: dict[str, int] = defaultdict(int)
    for topic, _ in ours:
        records[topic] += 1

    def per_payload(by_topic: dict[str, float]) -> dict[str, float]:
        return {t: 1e6 * by_topic[t] / payloads for t in SINK_TOPICS if t in records}

    return {
        "sink_us_per_raw": 1e6 * spent / payloads,
        "sink_records_per_raw": {t: n / payloads for t, n in records.items()},
        "sink_read_us_per_raw": per_payload(sink.reading),
        "sink_insert_us_per_raw": per_payload(sink.inserting),
    }


def measure(orders: int, rounds: int) -> dict[str, Any]:
    network = load_network(ROOT / "seamscope.yaml")
    messages = rendered(plan(orders))
    records = [BenchRecord(t, v, h, i) for i, (t, _, v, h) in enumerate(messages)]
    # As the worker at saturation: polls of its batch size, each processed a chunk at a
    # time, then observed by the SLA clocks as a whole.
    size = Settings().worker_batch_max
    polls = [records[i : i + size] for i in range(0, len(records), size)]
    batches = [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)]
    n = len(records)
    tune_gc()
    freeze_heap()  # as the worker does once started: the payloads are not the pipeline's

    def normalize() -> dict[str, float]:
        """CPU seconds of normalizing alone, by partner format (in the batch's topic
        order): each format's own cost, where the pipeline's figure is all formats' in
        the company of stitching."""
        now = datetime.now(UTC)
        spent: dict[str, float] = defaultdict(float)
        for batch in batches:
            by_topic: dict[str, list[BenchRecord]] = defaultdict(list)
            for record in batch:
                by_topic[record.topic].append(record)
            for topic, same in sorted(by_topic.items()):  # as the pipeline orders a batch
                ctx = network.contexts[topic]
                started = time.process_time()
                for record in same:
                    normalize_record(record, ctx, now)
                spent[ctx.partner_format] += time.process_time() - started
        return spent

    async def pipeline_and_clocks() -> tuple[float, float, float, list[tuple[str, bytes]]]:
        pipeline = _Timed(network.contexts)
        settings = Settings(webhook_url="")  # alerts are counted here, never posted
        sla = SlaService(settings, network, pipeline.graph, origin=pipeline.origin)
        sla.sender = _Encoded()  # type: ignore[assignment]
        sla.history_read = True
        sla._restored.set()
        sent: _Encoded = sla.sender  # type: ignore[assignment]
        produced: list[tuple[str, bytes]] = []
        piped = observed = 0.0
        for poll in polls:
            started = time.process_time()
            out = BatchOutput()
            for i in range(0, len(poll), CHUNK):
                out.extend(pipeline.process(poll[i : i + CHUNK]))
            mid = time.process_time()
            await sla.observe_local(out.observed, out.claimed)
            piped += mid - started
            observed += time.process_time() - mid
            produced.extend((r.topic, r.value) for r in out.records)
            produced.extend(sent.records)  # (after the batch's own: as they are sent)
            sent.records.clear()
        return pipeline.normalizing, piped, observed, produced

    best: dict[str, float] = {}
    formats: dict[str, float] = {}
    produced: list[tuple[str, bytes]] = []
    sink: dict[str, Any] = {}
    for _ in range(rounds):
        spent = normalize()
        normalizing, piped, observed, produced = asyncio.run(pipeline_and_clocks())
        took = {"normalize": normalizing, "stitch_encode": piped - normalizing, "sla": observed}
        if not best or sum(took.values()) < sum(best.values()):
            best, formats = took, spent
        written = sink_stages(produced, n)  # (every round produces the same records)
        if not sink or written["sink_us_per_raw"] < sink["sink_us_per_raw"]:
            sink = written
    payloads: dict[str, int] = defaultdict(int)
    for record in records:
        payloads[network.contexts[record.topic].partner_format] += 1
    return {
        "orders": orders,
        "payloads": n,
        "rounds": rounds,
        **{f"{stage}_us_per_raw": 1e6 * s / n for stage, s in best.items()},
        # The costliest formats per payload of their own (adapter authors look here).
        "normalize_us_by_format": dict(
            sorted(
                ((f, 1e6 * s / payloads[f]) for f, s in formats.items()),
                key=lambda item: -item[1],
            )
        ),
        **sink,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=8000, help="orders to simulate")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the fastest is kept")
    args = ap.parse_args()
    print(json.dumps(measure(args.orders, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
