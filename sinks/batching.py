"""Batch-shaped sinks: accumulate per partition, write whole blocks, commit after the write.

``add()`` collects records per topic-partition; ``take_due()`` cuts blocks; a concrete
sink only implements ``write(block)``. A block is identified by its offset range, which
becomes ClickHouse's insert deduplication token, so writing the same block twice lands it
once. Before writing, the ranges go to a ledger; after a crash, ``plan()`` makes the next
blocks end at exactly the same offsets, so a retry after restart is deduplicated too.
"""

from __future__ import annotations

import abc
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class SinkRecord(Protocol):
    """What a sink reads of a Kafka record (aiokafka's ConsumerRecord fits)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True)
class Block:
    """Consecutive records of one partition, written as one insert per table."""

    topic: str
    partition: int
    first_offset: int
    last_offset: int
    records: Sequence[SinkRecord]

    @property
    def first_timestamp(self) -> int:
        """Tells a recreated topic's offsets (e.g. a restarted in-memory broker) apart."""
        return self.records[0].timestamp

    @property
    def token(self) -> str:
        return (
            f"{self.topic}:{self.partition}:{self.first_offset}-{self.last_offset}"
            f"@{self.first_timestamp}"
        )


@dataclass
class _Partition:
    records: list[SinkRecord] = field(default_factory=list)
    #: Blocks written before a restart and not committed, as (first offset, last offset,
    #: first record's timestamp): the next blocks are cut exactly so.
    plan: deque[tuple[int, int, int]] = field(default_factory=deque)


class BatchingSink(abc.ABC):
    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self._parts: dict[tuple[str, int], _Partition] = {}

    # -- accumulation ---------------------------------------------------------------
    def add(self, records: Iterable[SinkRecord]) -> None:
        for r in records:
            self._parts.setdefault((r.topic, r.partition), _Partition()).records.append(r)

    def plan(self, topic: str, partition: int, ranges: Iterable[tuple[int, int, int]]) -> None:
        """Blocks to reproduce for a partition (from the ledger), oldest first."""
        part = self._parts.setdefault((topic, partition), _Partition())
        part.plan = deque(sorted(ranges))

    def drop(self, topic: str, partition: int) -> None:
        """Forget a partition (revoked): its uncommitted records will be read again."""
        self._parts.pop((topic, partition), None)

    @property
    def pending_rows(self) -> int:
        return sum(len(p.records) for p in self._parts.values())

    def take_due(self, force: bool) -> list[Block]:
        """Cut the blocks to write now: all buffered records when ``force`` or full."""
        blocks: list[Block] = []
        for (topic, partition), part in self._parts.items():
            while part.records:
                block = self._cut(topic, partition, part, force)
                if block is None:
                    break
                blocks.append(block)
        return blocks

    def _cut(self, topic: str, partition: int, part: _Partition, force: bool) -> Block | None:
        records = part.records
        first = records[0].offset
        while part.plan and part.plan[0][1] < first:
            part.plan.popleft()  # already behind us (committed by someone else)
        if part.plan and part.plan[0][0] == first and part.plan[0][2] != records[0].timestamp:
            part.plan.clear()  # same offsets, other records: the topic was recreated
        if part.plan:
            _, last, _ = part.plan[0]
            if records[-1].offset < last:
                return None  # the replayed block is not complete yet
            n = next(i for i, r in enumerate(records) if r.offset >= last) + 1
            part.plan.popleft()
        elif force or len(records) >= self.max_rows:
            n = min(len(records), self.max_rows)
        else:
            return None
        taken, part.records = records[:n], records[n:]
        return Block(topic, partition, taken[0].offset, taken[-1].offset, taken)

    # -- writing ------------------------------------------------------------------------
    @abc.abstractmethod
    def write(self, block: Block) -> None:
        """Write one block; raise to abort the commit (the block is retried)."""
