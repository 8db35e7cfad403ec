"""Where the SLA engine keeps each open journey's progress: recent ones as objects, the
rest packed into machine integers.

A million open journeys is an ordinary day's backlog for a busy retailer, and most of
them sit still for hours between events. As Python objects (dicts of tuples of
datetimes) a journey's progress costs ~1.4 KB; packed into one ``array('q')`` it costs
~0.4 KB. The store keeps the journeys touched last as ``Journey`` objects (``hot``, the
ones events and clocks are working on), and packs the oldest once there are more: a
journey is unpacked again when next touched, which costs a few microseconds.

Times are kept as microseconds since the epoch (an instant: an event's UTC offset does
not survive packing, its instant does); names (partners, nodes, milestones, node types)
as numbers in one table shared by every journey.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import islice

#: How many journeys stay unpacked (about 1.4 KB each); the rest are packed (~0.4 KB).
HOT_JOURNEYS = 50_000

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
#: No value: a time not set, a stage fact not emitted.
UNSET = -(2**63)

_BITS = 20  # a name's number: up to a million partners, nodes and milestones
_MASK = (1 << _BITS) - 1
_FACT_BITS = 32  # the facts' head: a bit per fact index emitted, then how many there are
_FACT_MASK = (1 << _FACT_BITS) - 1
#: wake, promise, holder and cancelled, last at, last who, #reached, #holders, the facts
#: emitted (a bit per fact index; -1 when none ever was)
_HEAD = 8


def micros(at: datetime) -> int:
    return (at - EPOCH) // US


@dataclass(slots=True)
class Journey:
    reached: dict[str, tuple[datetime, str, str]] = field(default_factory=dict)
    #: node type -> (partner, node, when that kind of node first reported on the journey)
    holders: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)
    last: tuple[datetime, str, str, str] | None = None  # at, milestone, partner, node
    promise: datetime | None = None
    cancelled: bool = False
    #: When the journey's earliest clock is due, as scheduled (one wake-up per journey,
    #: not one per stage: it is kept for every open journey). None: none scheduled.
    wake: datetime | None = None
    #: The partner holding the journey (who reported on it last).
    held_by: str = ""
    #: The stage facts last emitted, by fact index (``STAGES``, then the SLA stages): for
    #: fact i, [2i] a hash of what it said (only a change is emitted again) and [2i + 1]
    #: its time in microseconds (to withdraw it if its time moves); ``UNSET`` for a fact
    #: not emitted. Machine integers, not tuples: it is kept for every open journey.
    facts: array[int] | None = None


def finished(j: Journey) -> bool:
    """Delivered, returned or cancelled: its clocks have stopped."""
    return j.cancelled or "delivered" in j.reached or "return_received" in j.reached


class JourneyStore:
    """Journey id -> its progress. ``get`` and ``enter`` hand out a ``Journey`` to change
    in place: it stays unpacked until the next ``settle``."""

    def __init__(self, hot: int | None = None) -> None:
        hot = HOT_JOURNEYS if hot is None else hot
        if hot < 0:
            raise ValueError(f"the number of journeys to keep unpacked must be >= 0, not {hot}")
        self.hot_limit = hot
        self._hot: dict[str, Journey] = {}  # touched longest ago first: packed from the front
        self._cold: dict[str, array[int]] = {}
        self._names: list[str] = [""]
        self._numbers: dict[str, int] = {"": 0}

    def __len__(self) -> int:
        return len(self._hot) + len(self._cold)

    def __contains__(self, jid: object) -> bool:
        return jid in self._hot or jid in self._cold

    @property
    def packed(self) -> int:
        return len(self._cold)

    def get(self, jid: str) -> Journey | None:
        """The journey's progress to change in place, or None if it is not open."""
        return self.enter(jid) if jid in self else None

    def enter(self, jid: str) -> Journey:
        """The journey's progress to change in place; a new journey if it is not open."""
        hot = self._hot
        j = hot.pop(jid, None)
        if j is None:
            packed = self._cold.pop(jid, None)
            j = Journey() if packed is None else self._unpack(packed)
        hot[jid] = j  # (last: the most recently touched are packed last)
        return j

    def pop(self, jid: str) -> Journey | None:
        j = self._hot.pop(jid, None)
        if j is None:
            packed = self._cold.pop(jid, None)
            j = None if packed is None else self._unpack(packed)
        return j

    def peek(self, jid: str) -> Journey | None:
        """The journey's progress to read (changes to it may be lost: use ``get``)."""
        j = self._hot.get(jid)
        if j is None:
            packed = self._cold.get(jid)
            j = None if packed is None else self._unpack(packed)
        return j

    def wake(self, jid: str) -> datetime | None:
        """When the journey asked to be woken (cheap for a packed one)."""
        j = self._hot.get(jid)
        if j is not None:
            return j.wake
        packed = self._cold.get(jid)
        if packed is None or packed[0] == UNSET:
            return None
        return EPOCH + packed[0] * US

    def last_if_open(self, jid: str) -> tuple[datetime, str, str, str] | None:
        """The journey's last report (at, milestone, partner, node), unless it is finished
        or not known. Asked of every journey a silent partner holds: a packed one is not
        unpacked for it."""
        j = self._hot.get(jid)
        if j is not None:
            return None if finished(j) else j.last
        p = self._cold.get(jid)
        if p is None or p[2] & 1 or p[3] == UNSET:
            return None
        ends = (self._numbers.get("delivered"), self._numbers.get("return_received"))
        for i in range(_HEAD + 1, _HEAD + 2 * p[5], 2):
            if p[i] >> 2 * _BITS in ends:
                return None
        names, code = self._names, p[4]
        return (EPOCH + p[3] * US, names[code >> 2 * _BITS], names[code >> _BITS & _MASK],
                names[code & _MASK])  # fmt: skip

    def settle(self) -> None:
        """Pack the journeys touched longest ago, if more than ``hot`` are unpacked. The
        engine calls this when it is done with an event or a tick, never in the middle."""
        hot = self._hot
        if len(hot) > self.hot_limit:
            # A quarter at once: taking them one by one from the front of a dict rescans
            # the holes left by the ones taken before.
            keep = self.hot_limit * 3 // 4
            for old in list(islice(hot, len(hot) - keep)):
                self._cold[old] = self._pack(hot.pop(old))

    # -- packing -------------------------------------------------------------------
    @staticmethod
    @cache
    def _no_facts(count: int) -> array[int]:
        """The facts memo of a journey that emitted none (copied: that is C-fast)."""
        return array("q", [0, UNSET] * count)

    def _number(self, name: str) -> int:
        number = self._numbers.get(name)
        if number is None:
            number = self._numbers[name] = len(self._names)
            if number > _MASK:
                raise OverflowError(f"more than {_MASK} distinct names in the SLA engine")
            self._names.append(name)
        return number

    def _code(self, a: str, b: str, c: str) -> int:
        numbers = self._numbers
        try:
            return numbers[a] << 2 * _BITS | numbers[b] << _BITS | numbers[c]
        except KeyError:
            return self._number(a) << 2 * _BITS | self._number(b) << _BITS | self._number(c)

    def _pack(self, j: Journey) -> array[int]:
        # Every time a journey holds is converted once (the same instant is usually one
        # object in several places: a milestone's time, a holder's first report, the last).
        seen: dict[int, int] = {}

        def us(at: datetime) -> int:
            known = seen.get(id(at))
            if known is None:
                known = seen[id(at)] = micros(at)
            return known

        code, last = self._code, j.last
        out = [
            UNSET if j.wake is None else us(j.wake),
            UNSET if j.promise is None else us(j.promise),
            self._number(j.held_by) << 1 | j.cancelled,
            UNSET if last is None else us(last[0]),
            0 if last is None else code(last[1], last[2], last[3]),
            len(j.reached),
            len(j.holders),
            -1,
        ]
        for milestone, (at, partner, node) in j.reached.items():
            out += (us(at), code(milestone, partner, node))
        for kind, (partner, node, at) in j.holders.items():
            out += (us(at), code(kind, partner, node))
        facts = j.facts
        if facts is not None:  # the facts emitted only: most of a journey's are not yet
            said = 0
            for index in range(len(facts) // 2):
                if facts[2 * index + 1] != UNSET:
                    said |= 1 << index
                    out += (facts[2 * index], facts[2 * index + 1])
            out[7] = said | len(facts) // 2 << _FACT_BITS
        return array("q", out)

    def _unpack(self, p: array[int]) -> Journey:
        names = self._names
        times: dict[int, datetime] = {}  # one object per instant, as before packing

        def at(us: int) -> datetime:
            known = times.get(us)
            if known is None:
                known = times[us] = EPOCH + us * US
            return known

        reached: dict[str, tuple[datetime, str, str]] = {}
        holders: dict[str, tuple[str, str, datetime]] = {}
        i = _HEAD
        for _ in range(p[5]):
            code = p[i + 1]
            reached[names[code >> 2 * _BITS]] = (
                at(p[i]),
                names[code >> _BITS & _MASK],
                names[code & _MASK],
            )
            i += 2
        for _ in range(p[6]):
            code = p[i + 1]
            holders[names[code >> 2 * _BITS]] = (
                names[code >> _BITS & _MASK],
                names[code & _MASK],
                at(p[i]),
            )
            i += 2
        facts = None
        if p[7] != -1:
            said = p[7] & _FACT_MASK
            facts = array("q", self._no_facts(p[7] >> _FACT_BITS))
            while said:
                bit = said & -said
                index = 2 * (bit.bit_length() - 1)
                facts[index], facts[index + 1] = p[i], p[i + 1]
                said ^= bit
                i += 2
        last = None
        if p[3] != UNSET:
            code = p[4]
            last = (at(p[3]), names[code >> 2 * _BITS], names[code >> _BITS & _MASK],
                    names[code & _MASK])  # fmt: skip
        return Journey(
            reached=reached,
            holders=holders,
            last=last,
            promise=None if p[1] == UNSET else at(p[1]),
            cancelled=bool(p[2] & 1),
            wake=None if p[0] == UNSET else at(p[0]),
            held_by=names[p[2] >> 1],
            facts=facts,
        )
