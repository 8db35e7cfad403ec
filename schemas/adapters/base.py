"""What every partner format adapter is: raw bytes in, canonical events and problems out.

An adapter never raises on bad partner input. It returns the events it could map and a
list of problems (readable reasons); the pipeline sends any payload with problems to the
dead-letter topic, so nothing is lost and nothing stops the worker.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import orjson
from pydantic import ValidationError

from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    JourneyEvent,
    Lineage,
    Milestone,
    Ownership,
    PartnerType,
    make_event_id,
)

#: Reports further in the future than this are flagged (partner clock skew or bad data).
FUTURE_TOLERANCE = timedelta(minutes=15)
#: Reports older than this when ingested are flagged as very late.
LATE_TOLERANCE = timedelta(days=30)


@dataclass(frozen=True)
class PartnerContext:
    """What the network config (seamscope.yaml) says about the partner that sent a payload."""

    partner_id: str
    partner_type: PartnerType
    node_id: str
    ownership: Ownership
    partner_format: str
    #: For carriers: the carrier code used as issuer of its tracking numbers (e.g. "ups").
    carrier: str = ""


@dataclass(frozen=True)
class RawMessage:
    """A payload exactly as received, with where it was read from."""

    value: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    topic: str = ""
    partition: int = -1
    offset: int = -1


@dataclass
class NormalizeResult:
    """Events an adapter could map, and the problems it met (each a readable reason)."""

    events: list[JourneyEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def problem(cls, reason: str) -> NormalizeResult:
        return cls(problems=[reason])

    def extend(self, other: NormalizeResult) -> None:
        self.events.extend(other.events)
        self.problems.extend(other.problems)


class Adapter(Protocol):
    """One partner format. ``normalize`` must not raise on any input bytes."""

    format: str

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult: ...


def decode_json(raw: RawMessage) -> tuple[Any, str | None]:
    """Parse a JSON payload; on failure return the reason a person can act on."""
    try:
        return orjson.loads(raw.value), None
    except orjson.JSONDecodeError:
        pass  # orjson is strict (no NaN, 64-bit ints): the stdlib decides, and explains
    try:
        return json.loads(raw.value), None
    except UnicodeDecodeError as exc:
        return None, f"payload is not UTF-8 text: {exc.reason} at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return None, f"payload is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return None, "payload is not usable JSON: nested too deeply"


def describe_validation_error(model: str, exc: ValidationError) -> str:
    """One line per field problem, e.g. ``ShopifyOrder: id: Field required``."""
    parts = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = f" (+{exc.error_count() - 10} more)" if exc.error_count() > 10 else ""
    return f"{model} does not match the partner's format: " + "; ".join(parts) + more


def quality_flags(occurred_at: datetime, ingested_at: datetime) -> tuple[str, ...]:
    """Data-quality flags for a timestamp relative to when the pipeline saw it."""
    flags = []
    if occurred_at - ingested_at > FUTURE_TOLERANCE:
        flags.append("future_timestamp")
    if ingested_at - occurred_at > LATE_TOLERANCE:
        flags.append("very_late")
    return tuple(flags)


def build_event(
    *,
    ctx: PartnerContext,
    raw: RawMessage,
    ingested_at: datetime,
    milestone: Milestone,
    occurred_at: datetime,
    identifiers: Sequence[Identifier],
    links: Sequence[IdentifierLink] = (),
    raw_status: str = "",
    description: str = "",
    reported_at: datetime | None = None,
    exception: ExceptionInfo | None = None,
    location: str = "",
    discriminator: str = "",
    extra_flags: Sequence[str] = (),
    promised_by: datetime | None = None,
) -> JourneyEvent:
    """Fill in everything adapters share: partner fields, lineage, event id, quality flags."""
    # De-duplicated, first-seen order kept; keyed by plain tuples (hashing the models
    # walks their fields in Python).
    idents = tuple({_ident(i): i for i in identifiers}.values())
    occurred = occurred_at.astimezone(UTC)
    return JourneyEvent(
        event_id=make_event_id(
            ctx.partner_id, milestone, occurred, idents, raw_status, discriminator
        ),
        milestone=milestone,
        raw_status=raw_status,
        description=description,
        occurred_at=occurred,
        reported_at=reported_at.astimezone(UTC) if reported_at else None,
        ingested_at=ingested_at,
        partner_id=ctx.partner_id,
        partner_type=ctx.partner_type,
        node_id=ctx.node_id,
        ownership=ctx.ownership,
        identifiers=idents,
        links=tuple({(_ident(k.child), _ident(k.parent)): k for k in links}.values()),
        exception=exception,
        location=location,
        promised_by=promised_by.astimezone(UTC) if promised_by else None,
        quality_flags=(*quality_flags(occurred, ingested_at), *extra_flags),
        source=Lineage(
            topic=raw.topic,
            partition=raw.partition,
            offset=raw.offset,
            partner_format=ctx.partner_format,
        ),
    )


def _ident(i: Identifier) -> tuple[str, str, str]:
    return (i.type, i.issuer, i.value)
