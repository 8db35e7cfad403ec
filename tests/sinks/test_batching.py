"""Block cutting: full blocks, forced flushes, and re-cutting after a restart."""

from __future__ import annotations

from dataclasses import dataclass

from sinks.batching import BatchingSink, Block


@dataclass
class Rec:
    topic: str
    partition: int
    offset: int
    timestamp: int = 1000
    value: bytes | None = b"{}"


class Collect(BatchingSink):
    def write(self, block: Block) -> None:  # pragma: no cover - not called here
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
    sink.plan("a", 0, [(10, 12, 1000), (13, 20, 1000)])
    sink.add(Rec("a", 0, o) for o in range(10, 16))
    # The first planned block is complete; the second is not, even when forced.
    assert ranges(sink.take_due(force=True)) == [("a", 0, 10, 12)]
    sink.add(Rec("a", 0, o) for o in range(16, 25))
    assert ranges(sink.take_due(force=True)) == [("a", 0, 13, 20), ("a", 0, 21, 24)]


def test_a_plan_for_a_recreated_topic_is_ignored() -> None:
    sink = Collect(max_rows=100)
    sink.plan("a", 0, [(0, 500, 1000)])
    sink.add(Rec("a", 0, o, timestamp=99) for o in range(3))
    assert ranges(sink.take_due(force=True)) == [("a", 0, 0, 2)]


def test_tokens_name_the_offset_range_and_first_record() -> None:
    block = Block("t", 3, 5, 9, [Rec("t", 3, 5, timestamp=42)])
    assert block.token == "t:3:5-9@42"
