"""FedEx Track API responses -> canonical journey events, one per scan event.

Like UPS, FedEx is polled and returns the whole history each time: an event id depends
only on the scan's content (time, type, tracking number, location), never on its position.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import ValidationError

from schemas.adapters.base import (
    NormalizeResult,
    PartnerContext,
    RawMessage,
    build_event,
    decode_json,
    describe_validation_error,
)
from schemas.adapters.common import UNKNOWN_INCIDENT, UNKNOWN_STATUS
from schemas.adapters.fedex.codes import (
    EXCEPTIONAL,
    MILESTONES,
    TrackingIncidentReason,
    TrackingStatus,
    responsible_for,
)
from schemas.adapters.fedex.models import Address, FedexTrackingDocument, ScanEvent
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    JourneyEvent,
    Milestone,
    Responsible,
)

FORMAT = "fedex"
DEFAULT_CARRIER = "fedex"


def scan_time(scan: ScanEvent) -> tuple[datetime, tuple[str, ...]]:
    """ISO 8601 scan time as aware UTC; without an offset it is taken as UTC and flagged."""
    try:
        at = datetime.fromisoformat(scan.date.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"date {scan.date!r} is not an ISO 8601 timestamp") from None
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC), ("timezone_assumed_utc",)
    return at.astimezone(UTC), ()


def location_text(address: Address | None, location_id: str | None) -> str:
    parts = (
        (address.city, address.state_or_province_code, address.postal_code, address.country_code)
        if address
        else ()
    )
    text = ", ".join(p.strip() for p in parts if p and p.strip())
    if location_id and location_id.strip():
        text = f"{text} ({location_id.strip()})" if text else location_id.strip()
    return text


class FedexAdapter:
    """FedEx Track API JSON, as polled by a tracking gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        try:
            payload, error = decode_json(raw)
        except RecursionError:
            return NormalizeResult.problem("payload is not valid JSON: nested too deeply")
        if error is not None:
            return NormalizeResult.problem(error)
        if not isinstance(payload, dict):
            return NormalizeResult.problem(
                f"FedEx tracking response must be a JSON object, got {type(payload).__name__}"
            )
        try:
            document = FedexTrackingDocument.model_validate(payload)
        except ValidationError as exc:
            return NormalizeResult.problem(describe_validation_error("FedexTrackingDocument", exc))
        result = NormalizeResult()
        result.problems.extend(f"FedEx error {e.code}: {e.message}" for e in document.errors)
        issuer = ctx.carrier or DEFAULT_CARRIER
        complete = document.output.complete_track_results if document.output else []
        for c, track in enumerate(complete):
            for t, track_result in enumerate(track.track_results):
                info = track_result.tracking_number_info
                number = (info.tracking_number if info else None) or track.tracking_number or ""
                number = number.strip()
                where = f"output.completeTrackResults[{c}].trackResults[{t}]"
                if not track_result.scan_events:
                    failure = track_result.error
                    reason = f"{failure.code}: {failure.message}" if failure else "no scan events"
                    result.problems.append(f"FedEx tracking number {number or where}: {reason}")
                    continue
                if not number:
                    result.problems.append(f"{where}: no trackingNumber")
                    continue
                tracking = Identifier(type=IdType.tracking_number, value=number, issuer=issuer)
                identifiers = [tracking]
                links: list[IdentifierLink] = []
                unique_id = ((info.tracking_number_unique_id if info else None) or "").strip()
                if unique_id:
                    shipment = Identifier(type=IdType.shipment, value=unique_id, issuer=issuer)
                    identifiers.append(shipment)
                    links.append(IdentifierLink(child=tracking, parent=shipment))
                for s, scan in enumerate(track_result.scan_events):
                    try:
                        result.events.append(
                            self._event(scan, identifiers, links, ctx, raw, ingested_at)
                        )
                    except (ValueError, OverflowError) as exc:
                        result.problems.append(f"{where}.scanEvents[{s}]: {exc}")
        if not result.events and not result.problems:
            result.problems.append("FedEx response has no tracking results")
        return result

    @staticmethod
    def _event(
        scan: ScanEvent,
        identifiers: list[Identifier],
        links: list[IdentifierLink],
        ctx: PartnerContext,
        raw: RawMessage,
        ingested_at: datetime,
    ) -> JourneyEvent:
        karrio = TrackingStatus.find(scan.event_type, scan.derived_status_code)
        milestone = MILESTONES[karrio.name] if karrio else Milestone.unknown
        occurred_at, flags = scan_time(scan)
        if karrio is None:
            flags = (*flags, UNKNOWN_STATUS)
        description = scan.event_description.strip()
        exception = None
        if milestone in EXCEPTIONAL:
            if karrio is TrackingStatus.cancelled:
                reason, responsible = "retailer_cancelled", Responsible.retailer
            else:
                reason = TrackingIncidentReason.find(scan.exception_code)
                responsible = responsible_for(reason)
                if reason == "unknown" and scan.exception_code.strip():
                    flags = (*flags, UNKNOWN_INCIDENT)
            exception = ExceptionInfo(
                reason=reason,
                responsible=responsible,
                description=scan.exception_description.strip() or description,
            )
        location = location_text(scan.scan_location, scan.location_id)
        raw_status = scan.event_type.strip()
        if scan.exception_code.strip():
            raw_status = f"{raw_status}/{scan.exception_code.strip()}"
        return build_event(
            ctx=ctx,
            raw=raw,
            ingested_at=ingested_at,
            milestone=milestone,
            occurred_at=occurred_at,
            identifiers=identifiers,
            links=links,
            raw_status=raw_status,
            description=description,
            exception=exception,
            location=location,
            discriminator=location,
            extra_flags=flags,
        )


ADAPTER = FedexAdapter()
