"""The worker's hot path, batch-shaped: raw records in, keyed output records out.

``Pipeline.process`` takes every record of one poll, normalizes each with its partner's
adapter, stitches the events into journeys and returns what to produce. It never raises
for a bad record: anything that cannot become canonical events becomes a dead letter.

The two halves can run in different processes. Normalizing (``normalize_batch``) is pure:
records in, ``Seen`` events (plain tuples, cheap to send between processes) out.
Stitching (``Pipeline.stitch``) holds the identity graph and takes the batch in arrival
order.
"""

from __future__ import annotations

import heapq
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

import orjson
from pydantic import BaseModel

from schemas.adapters import FORMATS
from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.canonical import JourneyEvent
from schemas.messages import (
    DeadLetter,
    IdentityFact,
    IdentityFacts,
    IdentityGraphFacts,
    JourneyAlias,
    JourneyMember,
)
from streams.state import OVERLAYS, TERMINAL
from streams.stitch import Derived, Facts, IdentityGraph
from streams.topics import DEADLETTER, IDENTITY, JOURNEY_EVENTS, JOURNEYS, ORIGIN

log = logging.getLogger(__name__)


class Record(Protocol):
    """What the pipeline reads of a Kafka record (aiokafka's ConsumerRecord fits)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


class OutRecord(NamedTuple):  # one per produced record: a tuple is the cheapest to make
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


class RawRecord(NamedTuple):
    """A raw record with only what the pipeline reads of it (a ``Record``): what a
    normalizing process is sent."""

    topic: str
    partition: int
    offset: int
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def of(cls, record: Record) -> RawRecord:
        return cls(record.topic, record.partition, record.offset, record.value,
                   tuple(record.headers or ()))  # fmt: skip


class Seen(NamedTuple):
    """What stitching and the SLA clocks read of one canonical event, and its JSON.

    A tuple: cheap to make, and to send from a normalizing process (a model costs several
    times more to pickle, and the clocks need only these fields). Other workers get all of
    it but the JSON in the identity facts (``shared``, ``from_shared``).
    """

    #: The event's JSON, its journey id not filed yet (``file_under`` files it); empty for
    #: an event another worker stitched.
    value: bytes
    #: Its identifier keys (each once, in order) and its declared links (child, parent).
    keys: tuple[str, ...]
    links: tuple[tuple[str, str], ...]
    milestone: str
    occurred_at: datetime
    ingested_at: datetime
    quality_flags: tuple[str, ...]
    partner_id: str
    partner_type: str
    node_id: str
    ownership: str
    promised_by: datetime | None
    #: Each identifier's type and issuer.
    issuers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, event: JourneyEvent) -> Seen:
        if event.journey_id:  # adapters leave it empty; ``file_under`` expects it so
            event = event.model_copy(update={"journey_id": ""})
        facts = Facts.of(event)
        return cls(
            json_bytes(event),
            facts.keys,
            facts.links,
            event.milestone.value,
            event.occurred_at,
            event.ingested_at,
            event.quality_flags,
            event.partner_id,
            event.partner_type.value,
            event.node_id,
            event.ownership.value,
            event.promised_by,
            tuple((i.type.value, i.issuer) for i in event.identifiers),
        )

    def shared(self) -> dict[str, Any]:
        """The event as the identity facts carry it to other workers (an ``IdentityFact``)."""
        return {
            "keys": self.keys,
            "links": self.links,
            "event": {
                "milestone": self.milestone, "occurred_at": self.occurred_at,
                "ingested_at": self.ingested_at, "partner_id": self.partner_id,
                "partner_type": self.partner_type, "node_id": self.node_id,
                "ownership": self.ownership, "promised_by": self.promised_by,
                "issuers": self.issuers, "quality_flags": self.quality_flags,
            },
        }  # fmt: skip

    @classmethod
    def from_shared(cls, fact: IdentityFact) -> Seen | None:
        """An event another worker stitched, from its identity fact (None: the fact
        carries none, as a worker of an earlier version published it)."""
        e = fact.event
        if e is None:
            return None
        return cls(
            b"", tuple(fact.keys), tuple(fact.links), e.milestone, e.occurred_at,
            e.ingested_at, tuple(e.quality_flags), e.partner_id, e.partner_type, e.node_id,
            e.ownership, e.promised_by, tuple(e.issuers),
        )  # fmt: skip


#: A record's normalized events and the problems met; None: no partner reads its topic.
Normalized = tuple[list[Seen], list[str]] | None


@dataclass
class BatchOutput:
    records: list[OutRecord] = field(default_factory=list)
    events: int = 0
    dead_letters: int = 0
    aliases: int = 0
    members: int = 0
    #: The events for the SLA clocks in this process: those the batch stitched, or those
    #: other workers' identity facts carry.
    observed: list[Seen] = field(default_factory=list)
    #: Identifier keys filed under a journey by the batch (its memberships' keys): orphan
    #: events the SLA clocks hold for one of them can be observed now.
    claimed: list[str] = field(default_factory=list)

    def extend(self, other: BatchOutput) -> None:
        self.records.extend(other.records)
        self.observed.extend(other.observed)
        self.claimed.extend(other.claimed)
        self.events += other.events
        self.dead_letters += other.dead_letters
        self.aliases += other.aliases
        self.members += other.members


def decode_headers(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    return {k.lower(): v.decode("utf-8", "replace") for k, v in headers or ()}


#: An event's JSON before the stitcher files it: its journey id is still empty.
_UNFILED = b'"journey_id":""'
_SECOND = timedelta(seconds=1)


def json_bytes(model: BaseModel) -> bytes:
    """``model.model_dump_json().encode()``, without the round trip through ``str``."""
    return model.__pydantic_serializer__.to_json(model)


def file_under(seen: Seen, journey_id: str) -> bytes:
    """The event's JSON with ``journey_id`` set (a model copy per event costs more).

    ``Seen`` holds the JSON with ``journey_id`` empty; inside JSON strings a quote is
    escaped, so the first unescaped ``"journey_id":""`` is the field itself.
    """
    filed = b'"journey_id":' + orjson.dumps(journey_id)
    return seen.value.replace(_UNFILED, filed, 1)


def normalize_record(
    record: Record, ctx: PartnerContext, ingested_at: datetime
) -> tuple[NormalizeResult, RawMessage]:
    """Run the partner's adapter on one record; an adapter bug becomes a problem, not a crash."""
    raw = RawMessage(
        value=record.value or b"",
        headers=decode_headers(record.headers),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
    )
    if not raw.value:
        return NormalizeResult.problem("empty payload (no bytes)"), raw
    adapter = FORMATS[ctx.partner_format].adapter
    try:
        return adapter.normalize(raw, ctx, ingested_at), raw
    except Exception as exc:  # an adapter bug must not lose the message: dead-letter it
        log.exception("adapter %s failed on %s:%s", ctx.partner_format, raw.topic, raw.offset)
        return NormalizeResult.problem(f"adapter error: {type(exc).__name__}: {exc}"), raw


def normalize_batch(
    batch: Sequence[Record], contexts: dict[str, PartnerContext], now: datetime
) -> list[Normalized]:
    """Each record's events and problems (None: no partner reads its topic), in batch order.

    Normalized a topic at a time: one adapter's code and the interpreter's caches for it
    stay warm, which takes ~20% less time than going from format to format in arrival
    order. Adapters are pure, so only the stitching, after this, sees arrival order.
    """
    normalized: list[Normalized] = [None] * len(batch)
    for i in sorted(range(len(batch)), key=lambda i: batch[i].topic):
        record = batch[i]
        ctx = contexts.get(record.topic)
        if ctx is not None:
            result = normalize_record(record, ctx, now)[0]
            normalized[i] = [Seen.of(e) for e in result.events], result.problems
    return normalized


@lru_cache(maxsize=4)  # asked with the batch's clock for every event that derives members
def _json_time(at: datetime) -> str:
    """A time as the canonical models write it in JSON (pydantic's format: ``Z`` for UTC)."""
    member = JourneyMember(journey_id="", id_key="", updated_at=at)
    return str(orjson.loads(member.model_dump_json())["updated_at"])


class Pipeline:
    def __init__(
        self,
        contexts: dict[str, PartnerContext],
        graph: IdentityGraph | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        origin: str = "",
        retention: timedelta = timedelta(days=14),
    ) -> None:
        self.contexts = contexts
        self.graph = graph or IdentityGraph()
        self.clock = clock
        self.origin = origin or uuid.uuid4().hex[:12]
        self.retention = retention
        self._version = 0
        #: Finished journeys: when they finished (event time), oldest first in the heap.
        self._finished: dict[str, datetime] = {}
        self._finish_heap: list[tuple[datetime, str]] = []
        #: The latest event time seen (future-dated reports excluded): expiry follows it,
        #: so a backfill of old history keeps its journeys as long as a live run would.
        self.watermark: datetime | None = None
        self.retired = 0

    def _next_version(self) -> int:
        """Strictly increasing, so the newest alias of a journey id always wins."""
        self._version = max(self._version + 1, time.time_ns())
        return self._version

    def process(self, records: Iterable[Record]) -> BatchOutput:
        """Normalize and stitch a batch in this process."""
        now = self.clock()
        arrived = records if isinstance(records, list) else list(records)
        return self.stitch(arrived, self._normalize(arrived, now), now)

    def _normalize(self, batch: list[Record], now: datetime) -> list[Normalized]:
        return normalize_batch(batch, self.contexts, now)

    def stitch(
        self, records: Sequence[Record], normalized: Sequence[Normalized], now: datetime
    ) -> BatchOutput:
        """File a batch's normalized events (``normalize_batch`` of ``records``, at
        ``now``) under their journeys, in arrival order; say what to produce."""
        out = BatchOutput()
        shared: list[dict[str, Any]] = []
        origin = ((ORIGIN, self.origin.encode()),)
        for record, done in zip(records, normalized, strict=True):
            ctx = self.contexts.get(record.topic)
            if ctx is None or done is None:
                self._dead_letter(
                    out, record, None, now, "unknown_topic",
                    f"no partner in the network config reads topic {record.topic!r}",
                )  # fmt: skip
                continue
            events, problems = done
            for seen in events:
                journeys, primary, derived = self.graph.assign(Facts(seen.keys, seen.links))
                self._follow(derived)
                self._track(seen.milestone, seen.occurred_at, journeys, seen.quality_flags)
                value = file_under(seen, primary)
                out.records.append(OutRecord(JOURNEY_EVENTS, primary.encode(), value, origin))
                out.observed.append(seen)
                shared.append(seen.shared())
                out.events += 1
                self.emit_derived(derived, now, out)
            if problems:
                self._dead_letter(out, record, ctx, now, "invalid_payload", "; ".join(problems))
        retired = self._retire_finished()
        if shared or retired:
            # One record for the whole batch: every worker folds it into its graph, and
            # observes its events on its SLA clocks.
            batch = {"facts": shared, "retire": retired, "origin": self.origin}
            out.records.append(OutRecord(IDENTITY, self.origin.encode(), orjson.dumps(batch)))
        return out

    def _track(
        self, milestone: str, at: datetime, journeys: list[str], flags: tuple[str, ...]
    ) -> None:
        if "future_timestamp" not in flags and (self.watermark is None or at > self.watermark):
            self.watermark = at
        if milestone in TERMINAL:
            for j in journeys:
                self._finish(j, at)
        elif milestone not in OVERLAYS:
            for j in journeys:  # the path went on after it finished (e.g. a return)
                if j in self._finished and at > self._finished[j]:
                    del self._finished[j]

    def _follow(self, derived: Derived) -> None:
        """A finished journey that became part of another: the other retires when it
        would have (the graph knows an order by its current journey id only)."""
        for alias in derived.aliases:
            at = self._finished.pop(alias.alias_id, None)
            if at is not None:
                self._finish(alias.journey_id, at)

    def _finish(self, journey_id: str, at: datetime) -> None:
        """The journey finished at ``at``, unless known to have finished later."""
        if at > self._finished.get(journey_id, at - _SECOND):
            self._finished[journey_id] = at
            heapq.heappush(self._finish_heap, (at, journey_id))

    def _retire_finished(self) -> list[str]:
        """Forget journeys finished longer than the retention ago (by the watermark)."""
        if self.watermark is None:
            return []
        cutoff = self.watermark - self.retention
        retired: list[str] = []
        heap = self._finish_heap
        while heap and heap[0][0] < cutoff:
            at, j = heapq.heappop(heap)
            if self._finished.get(j) == at:
                del self._finished[j]
                if self.graph.retire(j):
                    retired.append(j)
        self.retired += len(retired)
        return retired

    def apply_shared(
        self, values: Iterable[bytes], emit: bool, observe: bool = True
    ) -> BatchOutput:
        """Identity facts published by other workers: fold them into this worker's graph
        (``emit``: and produce the memberships and aliases that follow); ``observe``: their
        events are ``observed``, for the SLA clocks."""
        out = BatchOutput()
        now = self.clock()
        model = IdentityFacts if observe else IdentityGraphFacts
        for value in values:
            try:
                facts = model.model_validate_json(value)
            except ValueError as exc:
                log.warning("unreadable identity facts skipped: %s", exc)
                continue
            if facts.origin == self.origin:
                continue
            for journey_id in facts.retire:
                self.graph.retire(journey_id)
            for fact in facts.facts:
                derived = self.graph.apply(Facts(tuple(fact.keys), tuple(fact.links)))
                self._follow(derived)
                seen = Seen.from_shared(fact) if isinstance(fact, IdentityFact) else None
                if seen is not None:
                    out.observed.append(seen)
                if emit:
                    self.emit_derived(derived, now, out)
        return out

    def emit_derived(self, derived: Derived, now: datetime, out: BatchOutput) -> None:
        for alias in derived.aliases:
            msg = JourneyAlias(
                alias_id=alias.alias_id,
                journey_id=alias.journey_id,
                version=self._next_version(),
                updated_at=now,
            )
            out.records.append(OutRecord(JOURNEYS, alias.journey_id.encode(), json_bytes(msg)))
            out.aliases += 1
        if derived.members:
            updated_at = _json_time(now)
        for member in derived.members:
            # The JSON JourneyMember.model_dump_json() gives, without a model per member.
            value = orjson.dumps(
                {"kind": "member", "journey_id": member.journey_id, "id_key": member.key,
                 "updated_at": updated_at}
            )  # fmt: skip
            out.records.append(OutRecord(JOURNEYS, member.journey_id.encode(), value))
            out.claimed.append(member.key)
            out.members += 1

    @staticmethod
    def _dead_letter(
        out: BatchOutput,
        record: Record,
        ctx: PartnerContext | None,
        now: datetime,
        kind: str,
        reason: str,
    ) -> None:
        letter = DeadLetter.from_raw(
            raw=record.value or b"",
            headers=decode_headers(record.headers),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            partner_id=ctx.partner_id if ctx else "",
            partner_format=ctx.partner_format if ctx else "",
            reason=reason,
            error_kind=kind,
            failed_at=now,
        )
        key = (ctx.partner_id if ctx else record.topic).encode()
        out.records.append(OutRecord(DEADLETTER, key, json_bytes(letter)))
        out.dead_letters += 1
