"""The sink process: a batch consumer of the journey topics that writes to ClickHouse.

Offsets are committed only after a block is in ClickHouse. A failed write is retried
with the same block (same deduplication token) until it succeeds or the sink stops.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence

from aiokafka import ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError
from aiokafka.structs import OffsetAndMetadata
from opentelemetry.sdk.metrics.export import MetricReader

from seamscope.runtime import tune_gc
from seamscope.settings import Settings
from seamscope.telemetry import meter_provider, meter_sink
from sinks.batching import Block, group_token
from sinks.clickhouse_sink import ClickHouseSink
from sinks.store import Store
from streams import kafka
from streams.topics import ALERTS, DEADLETTER, JOURNEY_EVENTS, JOURNEYS, STAGE_FACTS

log = logging.getLogger(__name__)

SINK_GROUP = "seamscope-sink"
#: In the order a flush writes them: a block is visible as soon as its own insert is done,
#: so the alerts (few rows, the most urgent) go first and the events right after.
SINK_TOPICS = (ALERTS, JOURNEY_EVENTS, JOURNEYS, STAGE_FACTS, DEADLETTER)
_WRITE_ORDER = {topic: i for i, topic in enumerate(SINK_TOPICS)}
#: Alerts do not wait for the flush interval: they are written as they come (a few rows,
#: one small insert), at most this often.
ALERT_FLUSH_GAP_S = 0.1


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, runner: SinkRunner) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        for tp in revoked:
            self.runner.sink.drop(tp.topic, tp.partition)
            self.runner._waiting.pop(tp, None)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        await self.runner.load_plans(list(assigned))


class SinkRunner:
    def __init__(
        self, settings: Settings, store: Store, metric_readers: Sequence[MetricReader] = ()
    ) -> None:
        self.settings = settings
        self.store = store
        self.sink = ClickHouseSink(store, settings.sink_batch_max_rows)
        self._stop = asyncio.Event()
        self.flushes = 0
        self.flush_seconds = 0.0  # time spent writing flushes (ledger, inserts, commit)
        self.flush_seconds_max = 0.0
        #: Records written, by the topic they came from.
        self.rows_by_topic = dict.fromkeys(SINK_TOPICS, 0)
        #: Records waiting in Kafka beyond what was read, by partition, at its last read.
        self._waiting: dict[TopicPartition, int] = {}
        #: Metered by these readers besides the exporter the settings name (if any).
        self.metric_readers = metric_readers

    @property
    def lag(self) -> int:
        """Records waiting in Kafka beyond what the sink has read."""
        return sum(self._waiting.values())

    def stop(self) -> None:
        self._stop.set()

    async def load_plans(self, assigned: list[TopicPartition]) -> None:
        for tp in assigned:
            committed = await self.consumer.committed(tp)
            ranges = await asyncio.to_thread(
                self.sink.ledger_ranges, tp.topic, tp.partition, committed or 0
            )
            if ranges:
                log.info(
                    "%s:%d resumes %d block(s) written before a restart",
                    tp.topic,
                    tp.partition,
                    len(ranges),
                )
            self.sink.plan(tp.topic, tp.partition, ranges)

    async def run(self) -> None:
        """Consume and write until ``stop()``; flush what is buffered on the way out."""
        tune_gc()
        meters = meter_provider(self.settings, "seamscope-sink", self.metric_readers)
        if meters is not None:
            meter_sink(meters.get_meter("seamscope.sink"), self)
        try:
            await self._run()
        finally:
            if meters is not None:
                meters.shutdown()  # exports what was counted last

    async def _run(self) -> None:
        await kafka.ensure_network_topics(self.settings, [])
        self.consumer = kafka.consumer(self.settings, SINK_GROUP)
        self.consumer.subscribe(list(SINK_TOPICS), listener=_Rebalance(self))
        await self.consumer.start()
        interval = self.settings.sink_flush_interval_s
        idle_gap = self.settings.sink_flush_idle_s
        last_flush = last_alerts = time.monotonic()
        next_flush = last_flush + interval
        try:
            while not self._stop.is_set():
                # Wait for records no longer than until the next flush is due, so a flush
                # is never late by a poll.
                wait = min(0.1, max(0.0, next_flush - time.monotonic()))
                batches = await self.consumer.getmany(
                    timeout_ms=int(wait * 1000), max_records=10_000
                )
                for tp, records in batches.items():
                    self.sink.add(records)
                    if records:
                        high = self.consumer.highwater(tp)
                        self._waiting[tp] = max(0, (high or 0) - records[-1].offset - 1)
                now = time.monotonic()
                # Upstream writes in bursts (a worker's batch): when a poll finds nothing
                # more, what came is written now rather than at the interval. Under a steady
                # flood no poll is empty, and the interval and size decide.
                paused = (
                    idle_gap > 0
                    and not batches
                    and self.sink.pending_rows > 0
                    and now - last_flush >= idle_gap
                )
                # Full means the whole buffer, however it is spread over partitions: waiting
                # for one partition to fill alone could hold many partitions' rows forever.
                if now >= next_flush or paused or self.sink.pending_rows >= self.sink.max_rows:
                    await self.flush(force=True)
                    last_flush = last_alerts = time.monotonic()
                    # The interval runs from when this flush began: what arrived while it
                    # was being written has waited that long already.
                    next_flush = now + interval
                elif now - last_alerts >= ALERT_FLUSH_GAP_S and self.sink.pending(ALERTS):
                    await self.flush(force=True, topics=(ALERTS,))
                    last_alerts = time.monotonic()
            await self.flush(force=True)
        finally:
            await self.consumer.stop()

    async def flush(self, force: bool, topics: tuple[str, ...] | None = None) -> None:
        """Write what is due (of ``topics`` only, if given), then commit its offsets."""
        taken = sorted(self.sink.take_due(force, topics), key=lambda b: _WRITE_ORDER[b.topic])
        groups = self.sink.write_groups(taken)
        if not groups:
            return
        started = time.monotonic()
        await self._write(groups)
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for b in (b for blocks in groups for b in blocks):
            tp = TopicPartition(b.topic, b.partition)
            offsets[tp] = OffsetAndMetadata(max(b.last_offset + 1, _offset(offsets.get(tp))), "")
        await self.commit(offsets)
        for b in (b for blocks in groups for b in blocks):
            self.rows_by_topic[b.topic] += len(b.records)
        self.flushes += 1
        took = time.monotonic() - started
        self.flush_seconds += took
        self.flush_seconds_max = max(self.flush_seconds_max, took)

    async def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        try:
            await self.consumer.commit(offsets)
        except CommitFailedError:
            # A rebalance moved these partitions while the blocks were being written. The
            # new owner re-cuts the same blocks from the ledger; ClickHouse drops repeats.
            log.warning("a rebalance took partitions before their commit; the next owner "
                        "rewrites those blocks, deduplicated")  # fmt: skip

    async def _write(self, groups: list[list[Block]]) -> None:
        delay = 0.5
        while True:
            try:
                await asyncio.to_thread(self._write_sync, groups)
                return
            except Exception as exc:  # the store is down or refused: keep the block, retry
                if self._stop.is_set():
                    raise
                log.warning(
                    "writing %d group(s) of blocks failed (%s); retrying in %.1fs",
                    len(groups),
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _write_sync(self, groups: list[list[Block]]) -> None:
        self.sink.record_ledger(groups)
        for blocks in groups:
            self.sink.write_group(blocks, group_token(blocks))


def _offset(meta: OffsetAndMetadata | None) -> int:
    return meta.offset if meta else 0


async def run_sink(settings: Settings, store: Store, stop: asyncio.Event) -> SinkRunner:
    runner = SinkRunner(settings, store)
    task = asyncio.create_task(runner.run())
    await stop.wait()
    runner.stop()
    await task
    return runner
