"""Block cutting: full blocks, forced flushes, and re-cutting after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sinks.batching import BatchingSink, Block, group_token


@dataclass
class Rec:
    topic: str
    partition: int
    offset: int
    timestamp: int = 1000
    value: bytes | None = b"{}"


class Collect(BatchingSink):
    def write_group(self, blocks: Sequence[Block], token: str) -> None:  # pragma: no cover
        raise AssertionError


def ranges(blocks: list[Block]) -> list[tuple[str, int, int, int]]:
    return [(b.topic, b.partition, b.first_offset, b.last_offset) for b in blocks]


def test_blocks_are_cut_when_full_or_forced() -> None:
    sink = Collect(max_rows=4)
    sink.add(Rec("a", 0, o) for o in range(10))
    sink.add(Rec("a", 1, o) for o in range(2))
    assert ranges(sink.take_due(force=False)) == [("a", 0, 0, 3), ("a", 0, 4, 7)]
    assert ranges(sink.take_due(force=True)) == [("a", 0, 8, 9), ("a", 1, 0, 1)]
    assert sink.pending_rows == 0


def test_a_restart_re_cuts_the_blocks_written_before_it() -> None:
    sink = Collect(max_rows=100)
    sink.plan("a", 0, [(10, 12, 1000, "alone:10", 1), (13, 20, 1000, "alone:13", 1)])
    sink.add(Rec("a", 0, o) for o in range(10, 16))
    # The first planned block is complete; the second is not, even when forced.
    assert ranges(sink.take_due(force=True)) == [("a", 0, 10, 12)]
    sink.add(Rec("a", 0, o) for o in range(16, 25))
    assert ranges(sink.take_due(force=True)) == [("a", 0, 13, 20), ("a", 0, 21, 24)]


def test_a_plan_for_a_recreated_topic_is_ignored() -> None:
    sink = Collect(max_rows=100)
    sink.plan("a", 0, [(0, 500, 1000, "alone:0", 1)])
    sink.add(Rec("a", 0, o, timestamp=99) for o in range(3))
    assert ranges(sink.take_due(force=True)) == [("a", 0, 0, 2)]


def test_tokens_name_the_offset_range_and_first_record() -> None:
    block = Block("t", 3, 5, 9, [Rec("t", 3, 5, timestamp=42)])
    assert block.token == "t:3:5-9@42"


def groups(sink: BatchingSink, blocks: list[Block]) -> list[list[tuple[str, int, int, int]]]:
    return [ranges(g) for g in sink.write_groups(blocks)]


def test_a_flush_writes_each_topics_blocks_together() -> None:
    sink = Collect(max_rows=100)
    sink.add(Rec("a", p, o) for p in range(3) for o in range(2))
    sink.add([Rec("b", 0, 7)])
    assert groups(sink, sink.take_due(force=True)) == [
        [("a", 0, 0, 1), ("a", 1, 0, 1), ("a", 2, 0, 1)],
        [("b", 0, 7, 7)],
    ]


def test_a_group_token_names_every_block_in_it() -> None:
    a, b = Block("t", 0, 0, 4, [Rec("t", 0, 0)]), Block("t", 1, 0, 2, [Rec("t", 1, 0)])
    assert group_token([a]) == a.token  # a block alone keeps its own token
    assert group_token([a, b]) == group_token([b, a]) != group_token([a])


def test_a_restart_writes_re_cut_blocks_in_their_groups_once_whole() -> None:
    first = [Block("a", p, 0, 2, [Rec("a", p, o) for o in range(3)]) for p in (0, 1)]
    token = group_token(first)
    sink = Collect(max_rows=100)
    for p in (0, 1):
        sink.plan("a", p, [(0, 2, 1000, token, 2)])
    sink.add(Rec("a", 0, o) for o in range(5))  # partition 0 is whole, and more
    sink.add(Rec("a", 1, o) for o in range(2))  # partition 1 not yet
    # The group waits for partition 1, and partition 0's later records wait behind it.
    assert groups(sink, sink.take_due(force=True)) == []
    assert sink.pending_rows == 7
    sink.add(Rec("a", 1, o) for o in range(2, 4))
    written = sink.write_groups(sink.take_due(force=True))
    assert [ranges(g) for g in written] == [
        [("a", 0, 3, 4), ("a", 1, 3, 3)],  # new records: a group of their own
        [("a", 0, 0, 2), ("a", 1, 0, 2)],  # the group written before, the same token
    ]
    assert group_token(written[1]) == token


def test_a_re_cut_group_split_by_a_rebalance_is_written_without_waiting() -> None:
    first = [Block("a", p, 0, 2, [Rec("a", p, o) for o in range(3)]) for p in (0, 1)]
    sink = Collect(max_rows=100)
    sink.plan("a", 0, [(0, 2, 1000, group_token(first), 2)])  # partition 1 went elsewhere
    sink.add(Rec("a", 0, o) for o in range(3))
    assert groups(sink, sink.take_due(force=True)) == [[("a", 0, 0, 2)]]
