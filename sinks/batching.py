"""Batch-shaped sinks: accumulate per partition, write whole blocks, commit after the write.

``add()`` collects records per topic-partition; ``take_due()`` cuts blocks; a concrete
sink only implements ``write_group(blocks, token)``. A block is identified by its offset
range; the blocks of one topic due in one flush are written together, as one insert per
table (an insert costs ClickHouse tens of milliseconds whatever its size, so one per
partition would cost most of the sink's time), under a deduplication token naming every
block in it (``group_token``), so writing the same group twice lands it once. Before
writing, the ranges and their group go to a ledger; after a crash, ``plan()`` makes the
next blocks end at exactly the same offsets, and ``write_groups`` puts them in the same
groups, so a retry after restart is deduplicated too.
"""

from __future__ import annotations

import abc
import hashlib
from collections import deque
from collections.abc import Collection, Iterable, Sequence
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
    #: A block re-cut from the ledger: the group it was written in before, and how many
    #: blocks that group held ("" and 1 for a block written alone or not written yet).
    group: str = ""
    group_size: int = 1

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


def group_token(blocks: Sequence[Block]) -> str:
    """The deduplication token of blocks written together: a block alone keeps its own
    token; a group's names every block in it, so only the same group is a repeat."""
    if len(blocks) == 1:
        return blocks[0].token
    names = "|".join(sorted(b.token for b in blocks))
    return "group:" + hashlib.sha256(names.encode()).hexdigest()[:32]


#: A block to re-cut: (first offset, last offset, first timestamp, group, group size).
Planned = tuple[int, int, int, str, int]


@dataclass
class _Partition:
    records: list[SinkRecord] = field(default_factory=list)
    #: Blocks written before a restart and not committed: the next blocks are cut exactly
    #: so, and written in the same groups.
    plan: deque[Planned] = field(default_factory=deque)


class BatchingSink(abc.ABC):
    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self._parts: dict[tuple[str, int], _Partition] = {}

    # -- accumulation ---------------------------------------------------------------
    def add(self, records: Iterable[SinkRecord]) -> None:
        for r in records:
            self._parts.setdefault((r.topic, r.partition), _Partition()).records.append(r)

    def plan(self, topic: str, partition: int, ranges: Iterable[Planned]) -> None:
        """Blocks to reproduce for a partition (from the ledger), oldest first."""
        part = self._parts.setdefault((topic, partition), _Partition())
        part.plan = deque(sorted(ranges))

    def drop(self, topic: str, partition: int) -> None:
        """Forget a partition (revoked): its uncommitted records will be read again."""
        self._parts.pop((topic, partition), None)

    @property
    def pending_rows(self) -> int:
        return sum(len(p.records) for p in self._parts.values())

    def pending(self, topic: str) -> bool:
        """Whether records of ``topic`` wait to be written."""
        return any(p.records for (t, _), p in self._parts.items() if t == topic)

    def take_due(self, force: bool, topics: Collection[str] | None = None) -> list[Block]:
        """Cut the blocks to write now (of ``topics`` only, if given): all buffered records
        when ``force`` or full."""
        blocks: list[Block] = []
        for (topic, partition), part in self._parts.items():
            if topics is not None and topic not in topics:
                continue
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
        group, size = "", 1
        if part.plan:
            _, last, _, group, size = part.plan[0]
            if records[-1].offset < last:
                return None  # the replayed block is not complete yet
            n = next(i for i, r in enumerate(records) if r.offset >= last) + 1
            part.plan.popleft()
        elif force or len(records) >= self.max_rows:
            n = min(len(records), self.max_rows)
        else:
            return None
        taken, part.records = records[:n], records[n:]
        return Block(topic, partition, taken[0].offset, taken[-1].offset, taken, group, size)

    def put_back(self, block: Block) -> None:
        """Undo ``take_due`` for a re-cut block whose group is not complete yet."""
        part = self._parts.setdefault((block.topic, block.partition), _Partition())
        part.records[:0] = block.records
        part.plan.appendleft(
            (block.first_offset, block.last_offset, block.first_timestamp, block.group,
             block.group_size)
        )  # fmt: skip

    def write_groups(self, blocks: Sequence[Block]) -> list[list[Block]]:
        """How ``blocks`` are written: the new blocks of each topic as one group; re-cut
        blocks in the groups they were written in before. A re-cut group with a block
        still to come on a partition this sink reads waits until it is whole (its blocks,
        and every later block of their partitions, are put back); one whose other blocks
        went to another sink (a rebalance) is written as it is, so nothing waits forever
        (its token differs: at worst a row lands twice, never lost)."""
        recut: dict[str, list[Block]] = {}
        for b in blocks:
            if b.group:
                recut.setdefault(b.group, []).append(b)
        waiting = {
            (b.topic, b.partition)
            for group, members in recut.items()
            if len(members) < members[0].group_size and self._awaits(group)
            for b in members
        }
        for b in reversed(blocks):  # later blocks first: each goes back to the front
            if (b.topic, b.partition) in waiting:
                self.put_back(b)
        fresh: dict[str, list[Block]] = {}
        groups: dict[str, list[Block]] = {}
        for b in blocks:
            if (b.topic, b.partition) not in waiting:
                if b.group:
                    groups.setdefault(b.group, []).append(b)
                else:
                    fresh.setdefault(b.topic, []).append(b)
        return [*fresh.values(), *groups.values()]

    def _awaits(self, group: str) -> bool:
        return any(planned[3] == group for p in self._parts.values() for planned in p.plan)

    # -- writing ------------------------------------------------------------------------
    def write(self, block: Block) -> None:
        """Write one block alone."""
        self.write_group([block], group_token([block]))

    @abc.abstractmethod
    def write_group(self, blocks: Sequence[Block], token: str) -> None:
        """Write blocks of one topic together under ``token``; raise to abort the commit
        (the blocks are retried)."""
