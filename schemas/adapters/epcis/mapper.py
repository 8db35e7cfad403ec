"""EPCIS 2.0 capture documents (or single events), JSON-LD or XML -> canonical events.

One EPCIS event gives one journey event. SSCCs (URN or GS1 Digital Link) and the
business transactions (po, desadv, bol) are the identifiers; an event that carries none
of them cannot be placed on any journey and is reported as a problem.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from schemas.adapters.base import (
    NormalizeResult,
    PartnerContext,
    RawMessage,
    build_event,
    decode_json,
    describe_validation_error,
)
from schemas.adapters.common import UNKNOWN_STATUS, looks_like_xml
from schemas.adapters.epcis.codes import (
    BIZ_TRANSACTION_TYPES,
    CBV_STEPS,
    DAMAGED,
    IN_TRANSIT,
    INBOUND_STEPS,
    RETURNED,
    BizStep,
    cbv_term,
)
from schemas.adapters.epcis.models import EpcisDocument, EpcisEvent
from schemas.adapters.epcis.xml_binding import read_document
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    Milestone,
    Responsible,
)

FORMAT = "epcis"
EVENT_TYPES = frozenset({"ObjectEvent", "AggregationEvent", "TransactionEvent", "AssociationEvent"})
UNSUPPORTED_EVENT_TYPES = frozenset({"TransformationEvent"})
DOCUMENT_TYPES = frozenset({"EPCISDocument", "EPCISQueryDocument"})

_SSCC_URN = re.compile(r"urn:epc:id:sscc:(\d+)\.(\d+)")
_DIGITAL_LINK_SSCC = re.compile(r"https?://[^/?#]+(?:/[^?#]*)?/00/(\d{18})(?:[/?#].*)?")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_BT_URN = "urn:epcglobal:cbv:bt:"


def gs1_check_digit(body: str) -> str:
    """GS1 mod-10 check digit of a key written without it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def sscc_of(epc: str) -> str | None:
    """The 18-digit SSCC in an EPC URN or GS1 Digital Link URI; None for other EPCs."""
    epc = epc.strip()
    if match := _SSCC_URN.fullmatch(epc):
        prefix, serial = match.groups()
        if len(prefix) + len(serial) != 17 or not 6 <= len(prefix) <= 12:
            return None
        body = serial[0] + prefix + serial[1:]
        return body + gs1_check_digit(body)
    if match := _DIGITAL_LINK_SSCC.fullmatch(epc):
        return match.group(1)
    return None


def biz_transaction_value(uri: str) -> tuple[str, str]:
    """``urn:epcglobal:cbv:bt:<gln>:<id>`` -> (id, gln); any other spelling -> (uri, "")."""
    uri = uri.strip()
    if uri.startswith(_BT_URN) and uri.count(":") >= 5:
        gln, _, ident = uri[len(_BT_URN) :].rpartition(":")
        return ident, gln.split(":")[0]
    return uri, ""


def event_time(event: EpcisEvent) -> tuple[datetime, tuple[str, ...]]:
    """Aware UTC time of an event: its own offset, else ``eventTimeZoneOffset``, else UTC."""
    at = event.event_time
    if at.tzinfo is not None:
        return at.astimezone(UTC), ()
    match = _OFFSET.fullmatch((event.event_time_zone_offset or "").strip())
    if match and int(match.group(2)) < 24 and int(match.group(3)) < 60:
        sign = -1 if match.group(1) == "-" else 1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return at.replace(tzinfo=timezone(sign * offset)).astimezone(UTC), ()
    return at.replace(tzinfo=UTC), ("timezone_assumed_utc",)


def milestone_for(step: str, disposition: str) -> tuple[Milestone, ExceptionInfo | None]:
    """A bizStep, refined by the disposition, as a milestone (and exception details)."""
    milestone = BizStep.milestone(step)
    if disposition in RETURNED and step in INBOUND_STEPS:
        return Milestone.return_received, None
    if disposition in DAMAGED:
        return Milestone.exception, ExceptionInfo(
            reason="unknown",
            responsible=Responsible.warehouse,
            description=f"goods {disposition} at step {step or 'unspecified'}",
        )
    if milestone is Milestone.unknown and not step and disposition in IN_TRANSIT:
        return Milestone.in_transit, None
    if milestone in (Milestone.on_hold, Milestone.exception):
        return milestone, ExceptionInfo(
            reason="unknown", responsible=Responsible.warehouse, description=f"EPCIS {step}"
        )
    return milestone, None


class EpcisAdapter:
    """EPCIS 2.0 JSON-LD or XML (1.x XML too) from an owned WMS (or any EPCIS repository).

    XML and JSON are told apart by content (a payload starting with ``<`` is XML).
    """

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        if looks_like_xml(raw):
            return self._xml(raw, ctx, ingested_at)
        try:
            payload, error = decode_json(raw)
        except RecursionError:
            return NormalizeResult.problem("payload is not valid JSON: nested too deeply")
        if error is not None:
            return NormalizeResult.problem(error)
        if not isinstance(payload, dict):
            return NormalizeResult.problem(
                f"EPCIS payload must be a JSON object, got {type(payload).__name__}"
            )
        kind = payload.get("type", payload.get("isA"))  # isA: the pre-2.0 JSON binding
        kind = kind if isinstance(kind, str) else ""
        reported_at: datetime | None = None
        if kind in DOCUMENT_TYPES or "epcisBody" in payload:
            try:
                document = EpcisDocument.model_validate(payload)
            except ValidationError as exc:
                return NormalizeResult.problem(describe_validation_error("EpcisDocument", exc))
            items = document.events
            created = document.creation_date
            reported_at = created if created and created.tzinfo else None
        elif kind in EVENT_TYPES or kind in UNSUPPORTED_EVENT_TYPES:
            return _map_item(payload, "event", ctx, raw, ingested_at, None)
        else:
            return NormalizeResult.problem(
                f"EPCIS payload is neither an EPCISDocument nor an EPCIS event (type {kind!r})"
            )
        result = NormalizeResult()
        for index, item in enumerate(items):
            result.extend(
                _map_item(item, f"eventList[{index}]", ctx, raw, ingested_at, reported_at)
            )
        if not result.events and not result.problems:
            result.problems.append("EPCIS document has no events")
        return result

    @staticmethod
    def _xml(raw: RawMessage, ctx: PartnerContext, ingested_at: datetime) -> NormalizeResult:
        """EPCIS XML (2.0 or 1.x): the same events as its JSON-LD twin would give."""
        document = read_document(raw)
        if document.problem is not None:
            return NormalizeResult.problem(document.problem)
        reported_at = None
        if document.creation_date:
            try:
                created = datetime.fromisoformat(document.creation_date.replace("Z", "+00:00"))
                reported_at = created if created.tzinfo else None
            except ValueError:
                reported_at = None
        result = NormalizeResult()
        for index, item in enumerate(document.events):
            result.extend(
                _map_item(item, f"EventList[{index}]", ctx, raw, ingested_at, reported_at)
            )
        if not result.events and not result.problems:
            result.problems.append("EPCIS document has no events")
        return result


def _map_item(
    item: Any,
    where: str,
    ctx: PartnerContext,
    raw: RawMessage,
    ingested_at: datetime,
    reported_at: datetime | None,
) -> NormalizeResult:
    try:
        event = EpcisEvent.model_validate(item)
    except ValidationError as exc:
        return NormalizeResult.problem(f"{where}: " + describe_validation_error("EpcisEvent", exc))
    label = f"{where} ({event.type} {event.event_id})" if event.event_id else where
    if event.type not in EVENT_TYPES:
        return NormalizeResult.problem(
            f"{label}: EPCIS {event.type} is not mapped to a journey milestone"
        )
    try:
        return _map_event(event, label, ctx, raw, ingested_at, reported_at)
    except (ValueError, OverflowError) as exc:
        return NormalizeResult.problem(f"{label}: could not be mapped: {exc}")


def _map_event(
    event: EpcisEvent,
    label: str,
    ctx: PartnerContext,
    raw: RawMessage,
    ingested_at: datetime,
    reported_at: datetime | None,
) -> NormalizeResult:
    is_aggregation = event.type in ("AggregationEvent", "AssociationEvent")
    parent_sscc = sscc_of(event.parent_id) if event.parent_id else None
    top = [s for s in (sscc_of(e) for e in event.epc_list) if s]
    if parent_sscc:
        top.insert(0, parent_sscc)
    children = [s for s in (sscc_of(e) for e in event.child_epcs) if s] if is_aggregation else []
    ssccs = [Identifier(type=IdType.sscc, value=s) for s in dict.fromkeys(top)]
    child_ssccs = [Identifier(type=IdType.sscc, value=s) for s in dict.fromkeys(children)]

    transactions: list[Identifier] = []
    for bt in event.biz_transaction_list:
        id_type = BIZ_TRANSACTION_TYPES.get(cbv_term(bt.type, "btt"))
        value, gln = biz_transaction_value(bt.biz_transaction)
        if id_type is None or not value:
            continue
        issuer = (gln or ctx.partner_id) if id_type is IdType.despatch_advice else ""
        transactions.append(Identifier(type=id_type, value=value, issuer=issuer))
    orders = [t for t in transactions if t.type is IdType.order]
    identifiers = [*ssccs, *child_ssccs, *transactions]
    if not identifiers:
        return NormalizeResult.problem(
            f"{label}: no identifier to follow (no SSCC and no po, desadv or bol"
            " business transaction)"
        )

    links = [IdentifierLink(child=c, parent=ssccs[0]) for c in child_ssccs if ssccs]
    links += [IdentifierLink(child=s, parent=o) for s in ssccs for o in orders]
    for t in transactions:
        if t.type is IdType.despatch_advice:
            links += [IdentifierLink(child=t, parent=o) for o in orders]
        elif t.type is IdType.tracking_number:
            parents = ssccs if len(ssccs) == 1 else orders
            links += [IdentifierLink(child=t, parent=p) for p in parents]

    step = cbv_term(event.biz_step, "bizstep")
    disposition = cbv_term(event.disposition, "disp")
    milestone, exception = milestone_for(step, disposition)
    occurred_at, flags = event_time(event)
    if step and step not in CBV_STEPS and milestone is Milestone.unknown:
        flags = (*flags, UNKNOWN_STATUS)
    if event.error_declaration is not None:
        flags = (*flags, "error_declaration")
    place = event.biz_location or event.read_point
    description = " ".join(
        part
        for part in (
            event.type,
            event.action or "",
            f"bizStep {step}" if step else "",
            f"disposition {disposition}" if disposition else "",
            f"(error declared: {event.error_declaration.reason or 'no reason'})"
            if event.error_declaration
            else "",
        )
        if part
    )
    record_time = event.record_time if event.record_time and event.record_time.tzinfo else None
    return NormalizeResult(
        events=[
            build_event(
                ctx=ctx,
                raw=raw,
                ingested_at=ingested_at,
                milestone=milestone,
                occurred_at=occurred_at,
                identifiers=identifiers,
                links=links,
                raw_status="/".join(p for p in (step, disposition) if p),
                description=description,
                reported_at=record_time or reported_at,
                exception=exception,
                location=place.id if place else "",
                discriminator=event.event_id or _content_digest(event),
                extra_flags=flags,
            )
        ]
    )


def _content_digest(event: EpcisEvent) -> str:
    """Separates id-less events that share time, step and identifiers (e.g. item lists)."""
    material = "\x1f".join(
        [event.type, event.action or "", event.parent_id or "", *event.epc_list, *event.child_epcs]
    )
    return "content:" + hashlib.sha256(material.encode()).hexdigest()[:16]


ADAPTER = EpcisAdapter()
