"""The stream worker: a faust app whose hot path is an aiokafka batch consumer.

A faust agent pays per-message task overhead (~4,500 msg/s here); the worker instead
polls whole batches with aiokafka inside the faust app, has them normalized (by processes
of its own, see ``streams.normalizing``), stitches them, produces the results and commits
only after every produced record is acknowledged. Faust provides the process: lifecycle,
signals, timers, logging.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
import mode
from aiokafka import ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import OffsetAndMetadata

from seamscope.network import Network
from seamscope.runtime import freeze_heap, tune_gc
from seamscope.settings import Settings
from seamscope.telemetry import WORKER_STAGES, StageCosts, meter_provider, meter_worker, per_record
from streams import kafka
from streams.normalizing import Normalizer, default_processes
from streams.pipeline import BatchOutput, OutRecord, Pipeline, Seen
from streams.sla_service import SlaService
from streams.topics import IDENTITY

log = logging.getLogger(__name__)

#: The faust app's id (its own consumer group) and the batch consumer's group: distinct,
#: since the two use different partition assignors.
APP_ID = "seamscope"
WORKER_GROUP = "seamscope-worker"
#: Records normalized (and stitched) at a time: the worker yields to the event loop
#: between chunks (heartbeats stay on time), and stitches one while the next is normalized.
CHUNK = 500


class Counters:
    def __init__(self) -> None:
        self.records = 0
        self.events = 0
        self.dead_letters = 0
        self.aliases = 0
        self.members = 0
        self.batches = 0

    def add(self, n_records: int, out: BatchOutput) -> None:
        self.records += n_records
        self.events += out.events
        self.dead_letters += out.dead_letters
        self.aliases += out.aliases
        self.members += out.members
        self.batches += 1


class _LogAssignment(ConsumerRebalanceListener):
    async def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    async def on_partitions_assigned(self, assigned: Any) -> None:
        parts = sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)
        log.info("assigned %d raw partitions: %s", len(parts), ", ".join(parts))


class BatchWorker(mode.Service):
    """Raw partner topics -> canonical, stitched journey events, in batches."""

    def __init__(self, settings: Settings, network: Network, **kwargs: Any) -> None:
        self.settings = settings
        self.network = network
        self.pipeline = Pipeline(
            network.contexts, retention=timedelta(seconds=settings.journey_retention_s)
        )
        #: CPU time per stage (the SLA clocks' too, which the app hands this).
        self.costs = StageCosts(WORKER_STAGES)
        processes = settings.worker_normalize_processes
        self.normalizer = Normalizer(
            network.contexts, default_processes() if processes is None else processes,
            self.costs,
        )  # fmt: skip
        self.counters = Counters()
        #: Raw records waiting beyond this worker's position, at the last poll.
        self.lag = 0
        #: Raw records wait beyond the last poll (a backlog is being worked off).
        self.behind = True
        #: Every raw record produced (by its timestamp) before this time has been read and
        #: its events observed by the SLA clocks: the wall clock they may run on (until the
        #: first poll tells, none).
        self.horizon = datetime.min.replace(tzinfo=UTC)
        #: The timestamp of the last raw record read, by partition.
        self._read_at: dict[TopicPartition, datetime] = {}
        #: Where the journey events this worker produced go next in this process (the
        #: SLA clocks), once they are acknowledged, with the identifier keys filed under
        #: journeys since (by its own batches and by other workers' facts).
        self.observe: Callable[[list[Seen], list[str]], Awaitable[None]] | None = None
        super().__init__(**kwargs)

    async def on_start(self) -> None:
        created = await kafka.ensure_network_topics(self.settings, self.network.raw_topics)
        if created:
            log.info("created topics: %s", ", ".join(created))
        self.producer = kafka.producer(self.settings)
        await self.producer.start()
        self.sender = kafka.BatchSender(self.producer)
        await self.normalizer.start()
        await self._replay_identity()
        self.consumer = kafka.consumer(self.settings, WORKER_GROUP)
        self.consumer.subscribe(self.network.raw_topics, listener=_LogAssignment())
        await self.consumer.start()
        log.info("worker reading %d raw topics", len(self.network.raw_topics))

    async def _replay_identity(self) -> None:
        """Rebuild the identity graph from every worker's published facts, then follow them.

        Facts derived while replaying are produced again: if the previous run died between
        producing a batch and committing it, that is what makes its derived facts whole
        (the store keeps one row per fact).
        """
        self.identity = kafka.consumer(self.settings, None)
        await self.identity.start()
        end = await kafka.assign_from_start(self.identity, IDENTITY)
        started, applied = time.monotonic(), 0
        while await kafka.behind(self.identity, end):
            batches = await self.identity.getmany(timeout_ms=500, max_records=50_000)
            values = self._shared(batches)
            applied += len(values)
            out = self.pipeline.apply_shared(values, emit=True, observe=False)
            if out.records and not await self._produce(out.records):
                return
        log.info(
            "identity graph rebuilt from %d facts in %.1fs: %d orders, %d units",
            applied, time.monotonic() - started, self.pipeline.graph.open_orders,
            self.pipeline.graph.units,
        )  # fmt: skip
        freeze_heap()  # the graph as replayed, and everything startup built

    def _shared(self, batches: dict[Any, list[Any]]) -> list[bytes]:
        """Identity facts other workers published (keyed by their origin): this worker's
        own are in its graph already, and are not even decoded."""
        own = self.pipeline.origin.encode()
        return [r.value for part in batches.values() for r in part if r.value and r.key != own]

    async def on_stop(self) -> None:
        await self.consumer.stop()
        await self.identity.stop()
        await self.producer.stop()
        await self.normalizer.stop()

    @mode.Service.task
    async def _run(self) -> None:
        """Poll, normalize and stitch a batch while the previous one is being sent.

        A batch's records are produced, acknowledged, handed to the SLA clocks and its
        offsets committed in that order (``_finish``); batches finish one after another,
        so commits only move forward and never pass a batch not yet acknowledged. The
        next batch is worked on meanwhile: the broker's acknowledgements cost the worker
        no idle time.
        """
        max_records = self.settings.worker_batch_max
        finishing: asyncio.Task[bool] | None = None
        try:
            while not self.should_stop:
                values = self._shared(await self.identity.getmany(timeout_ms=0, max_records=50_000))
                if values:
                    with self.costs.timed("stitch"):
                        derived = self.pipeline.apply_shared(values, emit=True)
                    if not await self._produce(derived.records):
                        return
                    if self.observe is not None and (derived.observed or derived.claimed):
                        await self.observe(derived.observed, derived.claimed)
                wait_ms = 0 if finishing is not None and not finishing.done() else 100
                polled_at = datetime.now(UTC)
                batches = await self.consumer.getmany(timeout_ms=wait_ms, max_records=max_records)
                records = [r for part in batches.values() for r in part]
                for tp, part in batches.items():
                    if part:
                        self._read_at[tp] = _timestamp(part[-1].timestamp, polled_at)
                horizon = await self._input_horizon(polled_at)
                self.behind = horizon != polled_at
                if not records:
                    if finishing is not None and not await finishing:
                        return
                    finishing = None
                    self._advance(horizon)  # nothing in flight: read is observed
                    continue
                out = BatchOutput()
                now = self.pipeline.clock()
                chunks = self.normalizer.each(
                    [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)], now
                )
                async with contextlib.aclosing(chunks):
                    async for chunk, normalized in chunks:
                        with self.costs.timed("stitch"):
                            out.extend(self.pipeline.stitch(chunk, normalized, now))
                        await asyncio.sleep(0)  # heartbeats, the previous batch's sending
                if finishing is not None and not await finishing:
                    return  # stopping before the previous batch was acknowledged
                offsets = {
                    TopicPartition(tp.topic, tp.partition): OffsetAndMetadata(
                        part[-1].offset + 1, ""
                    )
                    for tp, part in batches.items()
                    if part
                }
                finishing = asyncio.ensure_future(self._finish(out, len(records), offsets, horizon))
            if finishing is not None:
                await finishing
        finally:
            if finishing is not None and not finishing.done():
                finishing.cancel()

    async def _finish(
        self,
        out: BatchOutput,
        n_records: int,
        offsets: dict[TopicPartition, OffsetAndMetadata],
        horizon: datetime | None,
    ) -> bool:
        """Produce a batch's output, wait for every ack, observe it, commit its offsets."""
        if not await self._produce(out.records):
            return False  # stopping before the batch was acknowledged: not committed
        if self.observe is not None:
            await self.observe(out.observed, out.claimed)
        self._advance(horizon)
        try:
            await self.consumer.commit(offsets)
        except CommitFailedError:
            # The group rebalanced while this batch was in flight: its new owner reads
            # it again, and event ids make the repeat harmless downstream.
            log.warning("a rebalance took these partitions mid-batch; not committed")
        self.counters.add(n_records, out)
        return True

    async def _input_horizon(self, polled_at: datetime) -> datetime | None:
        """The time before which every raw record has been polled: the poll's, when no
        partition has more waiting; else the oldest of the waiting partitions' last read
        record (None when one has been read from not at all). Also counts what waits."""
        horizon: datetime | None = polled_at
        lag = 0
        for tp in self.consumer.assignment():
            high = self.consumer.highwater(tp)
            waiting = 1 if high is None else high - await self.consumer.position(tp)
            if waiting > 0:
                lag += waiting if high is not None else 0
                read = self._read_at.get(tp)
                horizon = None if read is None or horizon is None else min(horizon, read)
        self.lag = lag
        return horizon

    def _advance(self, horizon: datetime | None) -> None:
        """What was polled before ``horizon`` is observed: the SLA clocks may run to it."""
        if horizon is not None and horizon > self.horizon:
            self.horizon = horizon

    async def _produce(self, records: list[OutRecord]) -> bool:
        """Send every record and wait for all acks; retry the batch until it is sent."""
        delay = 0.2
        while not self.should_stop:
            try:
                await self.sender.send((r.topic, r.key, r.value, r.headers) for r in records)
                return True
            except KafkaError as exc:
                # Retrying may write some records twice; event ids make that harmless
                # (the sink and the queries deduplicate by event id).
                log.warning("producing a batch failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        return False


def create_app(settings: Settings, network: Network) -> faust.App:
    """The worker's faust app, with the batch worker as a service and a progress timer."""
    session_s = settings.kafka_session_timeout_ms / 1000
    (settings.run_dir / "worker-data").mkdir(parents=True, exist_ok=True)
    app = faust.App(
        APP_ID,
        broker=[f"kafka://{s}" for s in settings.kafka_bootstrap.split(",")],
        broker_credentials=_faust_credentials(settings),
        store="memory://",
        web_enabled=False,
        autodiscover=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=1,
        broker_session_timeout=session_s,
        broker_heartbeat_interval=max(0.1, session_s / 3),
        broker_rebalance_timeout=session_s,
        datadir=str(settings.run_dir / "worker-data"),
    )
    worker = BatchWorker(settings, network)
    sla = SlaService(
        settings, network, worker.pipeline.graph, is_leader=app.is_leader,
        origin=worker.pipeline.origin, costs=worker.costs,
    )  # fmt: skip
    meters = meter_provider(settings, "seamscope-worker")
    if meters is not None:
        meter_worker(meters.get_meter("seamscope.worker"), worker, sla)
    worker.observe = sla.observe_local
    sla.input_behind = lambda: worker.behind
    sla.input_horizon = lambda: worker.horizon

    @app.service
    class _Hosted(mode.Service):
        async def on_start(self) -> None:
            # The worker first: the SLA history replay needs its identity graph rebuilt.
            await self.add_runtime_dependency(worker)
            await self.add_runtime_dependency(sla)

        async def on_stop(self) -> None:
            if meters is not None:
                meters.shutdown()  # exports what was counted last

    started = time.monotonic()
    #: The counts of the previous progress line: its costs are those since.
    last: dict[str, Any] = {
        "records": 0, "cpu": time.process_time(), "stages": dict(worker.costs.seconds)
    }  # fmt: skip

    @app.timer(interval=10.0)
    async def progress() -> None:
        c = worker.counters
        elapsed = time.monotonic() - started
        log.info(
            "progress: %d raw records (%.0f/s avg), %d events, %d dead letters, "
            "%d aliases, %d members; graph: %d orders, %d units, %d identifiers%s",
            c.records,
            c.records / elapsed,
            c.events,
            c.dead_letters,
            c.aliases,
            c.members,
            worker.pipeline.graph.open_orders,
            worker.pipeline.graph.units,
            worker.pipeline.graph.keys,
            f"; normalizing processes restarted {worker.normalizer.restarts} times"
            if worker.normalizer.restarts
            else "",
        )
        log.info(
            "sla: %d journeys (%d packed), %d open alerts (%d held), %d alert updates published%s",
            sla.engine.open_journeys,
            sla.engine.packed_journeys,
            len(sla.engine.alerts()),
            sla.engine.alerts_held,
            sla.published,
            f", webhook {sla.webhook.delivered} delivered / {sla.webhook.failed} failed"
            if sla.webhook
            else "",
        )
        records, cpu, stages = c.records, time.process_time(), dict(worker.costs.seconds)
        if records > last["records"]:
            n = records - last["records"]
            log.info(
                "cpu per raw record over the last %d: %s; worker process %.0f µs; "
                "%d raw records waiting",
                n, per_record(last["stages"], stages, n), 1e6 * (cpu - last["cpu"]) / n,
                worker.lag,
            )  # fmt: skip
        last.update(records=records, cpu=cpu, stages=stages)

    return app


def _timestamp(ms: int, latest: datetime) -> datetime:
    """A record's timestamp (its producer's clock, in ms), no later than ``latest``."""
    return min(datetime.fromtimestamp(ms / 1000, UTC), latest) if ms >= 0 else latest


def _faust_credentials(settings: Settings) -> Any:
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    if settings.kafka_sasl_mechanism:
        password = settings.kafka_sasl_password
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=password.get_secret_value() if password else None,
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=settings.kafka_client_options().get("ssl_context"),
        )
    return faust.SSLCredentials(settings.kafka_client_options()["ssl_context"])


def run_worker(settings: Settings, network: Network) -> int:
    """Run until SIGINT/SIGTERM; faust handles signals and a clean shutdown."""
    tune_gc()
    app = create_app(settings, network)
    faust_worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    faust_worker.execute_from_commandline()  # returns only via SystemExit
    return 0
