"""aiokafka clients configured from Settings, and topic creation for a network."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner

from seamscope.settings import Settings
from streams.topics import ALERTS, OUTPUT_TOPICS, TopicSpec, ensure_topics


class KafkaNotConfigured(RuntimeError):
    pass


def _options(settings: Settings) -> dict[str, Any]:
    if not settings.kafka_bootstrap:
        raise KafkaNotConfigured(
            "no Kafka to talk to: set SEAMSCOPE_KAFKA_BOOTSTRAP=host:port, "
            "or start the embedded stack with `seamscope demo`"
        )
    return settings.kafka_client_options()


def producer(settings: Settings, **overrides: Any) -> AIOKafkaProducer:
    opts: dict[str, Any] = {
        "acks": "all",
        "linger_ms": 5,
        "max_batch_size": 512 * 1024,
        "compression_type": None,
    }
    opts.update(overrides)
    return AIOKafkaProducer(**_options(settings), **opts)


def consumer(
    settings: Settings, group_id: str | None, *topics: str, **overrides: Any
) -> AIOKafkaConsumer:
    session = settings.kafka_session_timeout_ms
    opts: dict[str, Any] = {
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "session_timeout_ms": session,
        "heartbeat_interval_ms": max(100, session // 3),
        "rebalance_timeout_ms": session,
        "max_partition_fetch_bytes": 4 * 1024 * 1024,
        "fetch_max_bytes": 32 * 1024 * 1024,
        "fetch_max_wait_ms": settings.kafka_fetch_max_wait_ms,
    }
    opts.update(overrides)
    return AIOKafkaConsumer(*topics, **_options(settings), **opts)


def admin(settings: Settings) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(**_options(settings))


async def ensure_network_topics(settings: Settings, raw_topics: list[str]) -> list[str]:
    """Create the raw, journey, dead-letter and alert topics that are missing."""
    n = settings.topic_partitions
    specs = [TopicSpec(t, n) for t in [*raw_topics, *OUTPUT_TOPICS, ALERTS]]
    client = admin(settings)
    await client.start()
    try:
        return await ensure_topics(client, specs)
    finally:
        await client.close()


async def assign_from_start(consumer: AIOKafkaConsumer, topic: str) -> dict[TopicPartition, int]:
    """Read all of ``topic`` from its start (no group); returns each partition's end offset
    at this moment, to tell when the history has been read (see ``behind``)."""
    partitions = [
        TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or {0})
    ]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    return dict(await consumer.end_offsets(partitions))


async def behind(consumer: AIOKafkaConsumer, end: dict[TopicPartition, int]) -> bool:
    """Whether any partition has not been read up to ``end`` yet, nor up to the high
    watermark its last fetch reported: the embedded broker gives as a partition's end
    offset one past the first record of its last batch, short of that batch's others."""
    for tp, offset in end.items():
        if await consumer.position(tp) < max(offset, consumer.highwater(tp) or 0):
            return True
    return False


#: A record to send: topic, key, value and optionally headers.
Outgoing = tuple[str, bytes, bytes] | tuple[str, bytes, bytes, Sequence[tuple[str, bytes]]]


class BatchSender:
    """Sends keyed records one batch per partition, the way the default partitioner would
    place them one by one (murmur2 of the key, as Java clients do).

    Producing record by record costs a future, a partitioner call (pure-Python murmur2)
    and an accumulator lookup each; here a partition is computed once per key (cached)
    and a whole partition's records go out as one batch.
    """

    CACHE = 200_000  # keys remembered; the cache starts over when full

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[str, tuple[int, ...]] = {}
        #: A key's partition depends only on the topic's partitions, so it is cached by
        #: them: topics alike share it (a journey's event, memberships and stage facts
        #: are all keyed by its id).
        self._placed: dict[tuple[tuple[int, ...], bytes], int] = {}

    def _partition(self, topic: str, key: bytes) -> int:
        parts = self._partitions[topic]
        placed = self._placed.get((parts, key))
        if placed is None:
            if len(self._placed) >= self.CACHE:
                self._placed.clear()
            placed = self._placed[(parts, key)] = self._partitioner(key, parts, parts)
        return placed

    async def send(self, records: Iterable[Outgoing]) -> None:
        """Send (topic, key, value[, headers]) records; return once every one is acked."""
        records = list(records)
        for topic in {r[0] for r in records} - self._partitions.keys():
            self._partitions[topic] = tuple(sorted(await self.producer.partitions_for(topic)))
        groups: dict[tuple[str, int], list[Outgoing]] = {}
        for record in records:
            part = self._partition(record[0], record[1])
            groups.setdefault((record[0], part), []).append(record)
        futures = []
        for (topic, part), items in groups.items():
            batch = self.producer.create_batch()
            for _, key, value, *headers in items:
                kept = list(headers[0]) if headers else []
                if batch.append(key=key, value=value, timestamp=None, headers=kept) is None:
                    futures.append(await self.producer.send_batch(batch, topic, partition=part))
                    batch = self.producer.create_batch()
                    batch.append(key=key, value=value, timestamp=None, headers=kept)
            futures.append(await self.producer.send_batch(batch, topic, partition=part))
        await asyncio.gather(*futures)
