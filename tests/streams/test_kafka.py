"""The batch sender on the real broker: records land where Kafka clients put them."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import TopicPartition
from aiokafka.partitioner import DefaultPartitioner

from seamscope.settings import Settings
from streams import kafka
from streams.topics import TopicSpec, ensure_topics

pytestmark = pytest.mark.e2e


async def _create(settings: Settings, specs: list[TopicSpec]) -> None:
    client = kafka.admin(settings)
    await client.start()
    try:
        await ensure_topics(client, specs)
    finally:
        await client.close()


def test_records_of_every_topic_land_in_the_partition_murmur2_picks(settings: Settings) -> None:
    """Consumers of a key (and other producers) rely on the default placement: the sender
    computes it once per key and topic layout, and reuses it across topics alike, also
    after its cache starts over."""
    topics = {"t.three": 3, "t.five": 5, "t.five.too": 5}
    keys = [f"jrn_{i:06d}".encode() for i in range(60)]

    async def scenario() -> dict[tuple[str, bytes], int]:
        await _create(settings, [TopicSpec(t, n) for t, n in topics.items()])
        producer = kafka.producer(settings)
        await producer.start()
        try:
            sender = kafka.BatchSender(producer)
            sender.CACHE = 50  # starts over in the middle of the batch
            await sender.send((t, k, b"v:" + k) for k in keys for t in topics)
        finally:
            await producer.stop()
        consumer = kafka.consumer(settings, None)
        await consumer.start()
        try:
            parts = [TopicPartition(t, p) for t, n in topics.items() for p in range(n)]
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            found: dict[tuple[str, bytes], int] = {}
            while len(found) < len(keys) * len(topics):
                batches = await consumer.getmany(timeout_ms=2000)
                assert batches, f"only {len(found)} records came back"
                for tp, records in batches.items():
                    for r in records:
                        assert r.key is not None and r.value == b"v:" + r.key
                        found[(tp.topic, r.key)] = tp.partition
            return found
        finally:
            await consumer.stop()

    found = asyncio.run(scenario())
    murmur2 = DefaultPartitioner()
    for topic, n in topics.items():
        every = list(range(n))
        expected = {k: murmur2(k, every, every) for k in keys}
        assert {k: found[(topic, k)] for k in keys} == expected
        assert len(set(expected.values())) > 1  # the keys do spread


def test_a_topic_read_from_its_start_is_read_to_its_last_record(settings: Settings) -> None:
    """Reading a history (alerts, identity facts, journey events on a start) stops once
    it is read to its end, last records of the last batch included: the broker's end
    offsets fall short of them, the fetches' high watermarks do not."""

    async def scenario() -> list[bytes]:
        await _create(settings, [TopicSpec("t.history", 1)])
        producer = kafka.producer(settings)
        await producer.start()
        try:
            sender = kafka.BatchSender(producer)
            for batch in range(3):  # three batches of one partition
                await sender.send(("t.history", b"k", b"%d-%d" % (batch, i)) for i in range(20))
        finally:
            await producer.stop()
        consumer = kafka.consumer(settings, None, max_partition_fetch_bytes=100)
        await consumer.start()
        try:
            end = await kafka.assign_from_start(consumer, "t.history")
            read: list[bytes] = []
            while await kafka.behind(consumer, end):
                batches = await consumer.getmany(timeout_ms=2000, max_records=7)
                read += [r.value or b"" for part in batches.values() for r in part]
            return read
        finally:
            await consumer.stop()

    read = asyncio.run(scenario())
    assert read == [b"%d-%d" % (batch, i) for batch in range(3) for i in range(20)]
