"""The sink on the real broker and chDB: a restart before commit duplicates no rows; alerts
do not wait for the flush interval."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from aiokafka import TopicPartition
from aiokafka.structs import OffsetAndMetadata

from schemas.canonical import Identifier, IdType, JourneyEvent, Milestone, Ownership, PartnerType
from seamscope.settings import Settings
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.sla import Alert
from streams.topics import ALERTS, JOURNEY_EVENTS

pytestmark = pytest.mark.e2e

AT = datetime(2026, 11, 20, 8, tzinfo=UTC)


class Crash(Exception):
    pass


class CrashBeforeCommit(SinkRunner):
    async def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        raise Crash


def events(n: int) -> list[bytes]:
    return [
        JourneyEvent(
            event_id=f"evt_{i:05d}", journey_id=f"jrn_{i % 7}", milestone=Milestone.in_transit,
            occurred_at=AT + timedelta(minutes=i), ingested_at=AT, partner_id="ups",
            partner_type=PartnerType.carrier, node_id="ups-network", ownership=Ownership.partner,
            identifiers=(Identifier(type=IdType.tracking_number, value=f"1Z{i:05d}"),),
        ).model_dump_json().encode()
        for i in range(n)
    ]  # fmt: skip


async def produce(settings: Settings, values: list[bytes]) -> None:
    await kafka.ensure_network_topics(settings, [])
    producer = kafka.producer(settings)
    await producer.start()
    try:
        for i, v in enumerate(values):
            await producer.send(JOURNEY_EVENTS, v, key=str(i).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def run_until(runner: SinkRunner, store: Store, rows: int, timeout: float = 60) -> None:
    task = asyncio.create_task(runner.run())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while loop.time() < deadline and not task.done():
            if store.rows("SELECT count() AS n FROM journey_events")[0]["n"] >= rows:
                break
            await asyncio.sleep(0.2)
    finally:
        runner.stop()
        with contextlib.suppress(Crash):
            await task


def test_restart_before_commit_leaves_no_duplicate_rows(settings: Settings, store: Store) -> None:
    n = 300
    asyncio.run(produce(settings, events(n)))

    # First run: small blocks, written to ClickHouse, then a crash before the commit.
    crashing = CrashBeforeCommit(settings.model_copy(update={"sink_batch_max_rows": 40}), store)
    asyncio.run(run_until(crashing, store, rows=1))
    written_before_crash = store.rows("SELECT count() AS n FROM journey_events")[0]["n"]
    assert written_before_crash > 0

    # Restart with other batch settings: the ledger makes it re-cut the same blocks.
    restarted = SinkRunner(settings.model_copy(update={"sink_batch_max_rows": 5000}), store)
    asyncio.run(run_until(restarted, store, rows=n))
    asyncio.run(asyncio.sleep(0))

    counts = store.rows("SELECT count() AS n, uniqExact(event_id) AS u FROM journey_events")[0]
    assert (counts["n"], counts["u"]) == (n, n)
    ids = store.rows("SELECT count() AS n FROM identifiers")[0]["n"]
    assert ids == n


def test_a_full_buffer_spread_over_partitions_is_flushed_without_waiting(
    settings: Settings, store: Store
) -> None:
    # No partition reaches the block size alone, but together they fill the buffer: the
    # sink must write them long before its (here: one hour) flush interval.
    settings = settings.model_copy(
        update={"sink_batch_max_rows": 150, "sink_flush_interval_s": 3600.0, "sink_flush_idle_s": 0}
    )
    assert settings.topic_partitions == 2  # about 100 rows each: below the block size
    asyncio.run(produce(settings, events(200)))

    async def landed_while_running() -> int:
        runner = SinkRunner(settings, store)
        task = asyncio.create_task(runner.run())
        try:
            for _ in range(100):
                n = store.rows("SELECT count() AS n FROM journey_events")[0]["n"]
                if n >= 150:
                    return int(n)
                await asyncio.sleep(0.2)
            return int(n)
        finally:
            runner.stop()
            await task

    assert asyncio.run(landed_while_running()) >= 150


def test_alerts_are_written_as_they_come_while_events_wait_for_the_interval(
    settings: Settings, store: Store
) -> None:
    settings = settings.model_copy(update={"sink_flush_interval_s": 3600.0, "sink_flush_idle_s": 0})
    breach = Alert(
        alert_id="alr_test", kind="sla_breach", status="open", rule="last_mile",
        partner_id="ups", node_id="ups-network", journey_id="jrn_1", since=AT,
        deadline=AT + timedelta(hours=1), opened_at=AT + timedelta(hours=1),
        updated_at=AT + timedelta(hours=1), version=1,
    )  # fmt: skip

    async def scenario() -> tuple[int, int, int]:
        await produce(settings, events(20))
        runner = SinkRunner(settings, store)
        task = asyncio.create_task(runner.run())
        try:
            while not getattr(runner, "consumer", None) or not runner.consumer.assignment():
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # the events are read, and wait for the interval
            producer = kafka.producer(settings)
            await producer.start()
            try:
                await producer.send_and_wait(ALERTS, orjson.dumps(breach), key=b"alr_test")
            finally:
                await producer.stop()
            for _ in range(50):
                if store.rows("SELECT count() AS n FROM alerts")[0]["n"]:
                    break
                await asyncio.sleep(0.2)
            alerts = store.rows("SELECT count() AS n FROM alerts")[0]["n"]
            waiting = store.rows("SELECT count() AS n FROM journey_events")[0]["n"]
        finally:
            runner.stop()
            await task
        return alerts, waiting, store.rows("SELECT count() AS n FROM journey_events")[0]["n"]

    alerts, events_before_stop, events_after_stop = asyncio.run(scenario())
    assert alerts == 1
    assert events_before_stop == 0  # not written with the alert: their interval had not come
    assert events_after_stop == 20  # written on the way out
