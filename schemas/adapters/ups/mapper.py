"""UPS Track API responses -> canonical journey events, one per package activity.

Tracking is polled, so UPS returns the same history again and again: an activity's event
id depends only on its content (time, status, tracking number and location), never on its
position in the list, and a re-poll yields the same ids.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from pydantic import ValidationError

from schemas.adapters.base import (
    NormalizeResult,
    PartnerContext,
    RawMessage,
    build_event,
    decode_json,
    describe_validation_error,
)
from schemas.adapters.common import UNKNOWN_STATUS, clean_id
from schemas.adapters.ups.codes import (
    EXCEPTIONAL,
    MILESTONES,
    TrackingIncidentReason,
    TrackingStatus,
    responsible_for,
)
from schemas.adapters.ups.models import Activity, ActivityLocation, UpsTrackingDocument
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    JourneyEvent,
    Milestone,
    Responsible,
)

FORMAT = "ups"
DEFAULT_CARRIER = "ups"
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


def _clock(date: str, time: str, tz: timezone) -> datetime:
    """``20210210`` + ``071356`` (or ``07:13:56``) -> aware datetime; ValueError if malformed."""
    date, time = date.strip(), time.strip().replace(":", "")
    if not (len(date) == 8 and date.isdigit()):
        raise ValueError(f"date {date!r} is not YYYYMMDD")
    if time and not (len(time) in (4, 6) and time.isdigit()):
        raise ValueError(f"time {time!r} is not HHMMSS")
    time = time.ljust(6, "0")
    return datetime(
        int(date[:4]),
        int(date[4:6]),
        int(date[6:]),
        int(time[:2]),
        int(time[2:4]),
        int(time[4:]),
        tzinfo=tz,
    )


def activity_time(activity: Activity) -> tuple[datetime, tuple[str, ...]]:
    """GMT date/time when UPS gives it; local time with ``gmtOffset``; else local as UTC."""
    if activity.gmt_date and activity.gmt_time:
        return _clock(activity.gmt_date, activity.gmt_time, UTC), ()
    match = _OFFSET.fullmatch((activity.gmt_offset or "").strip())
    if match and int(match.group(2)) < 24 and int(match.group(3)) < 60:
        sign = -1 if match.group(1) == "-" else 1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return _clock(activity.date, activity.time, timezone(sign * offset)).astimezone(UTC), ()
    return _clock(activity.date, activity.time, UTC), ("timezone_assumed_utc",)


def location_text(location: ActivityLocation | None) -> str:
    address = location.address if location else None
    if address is None:
        return ""
    parts = (
        address.city,
        address.state_province,
        address.postal_code,
        address.country_code or address.country,
    )
    return ", ".join(p.strip() for p in parts if p and p.strip())


class UpsAdapter:
    """UPS Track API JSON, as polled by a tracking gateway."""

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
                f"UPS tracking response must be a JSON object, got {type(payload).__name__}"
            )
        try:
            document = UpsTrackingDocument.model_validate(payload)
        except ValidationError as exc:
            return NormalizeResult.problem(describe_validation_error("UpsTrackingDocument", exc))
        result = NormalizeResult()
        if document.response is not None:
            result.problems.extend(
                f"UPS error {e.code}: {e.message}".replace(" :", ":")
                for e in document.response.errors
            )
        if document.track_response is None:
            if not result.problems:
                result.problems.append("UPS payload has neither trackResponse nor errors")
            return result
        issuer = ctx.carrier or DEFAULT_CARRIER
        for s, shipment in enumerate(document.track_response.shipment):
            inquiry = clean_id(shipment.inquiry_number)
            if not shipment.package:
                reasons = "; ".join(f"{w.code} {w.message}".strip() for w in shipment.warnings)
                name = inquiry or f"[{s}]"
                result.problems.append(
                    f"UPS shipment {name}: {reasons or 'no package in the response'}"
                )
                continue
            for p, package in enumerate(shipment.package):
                number = clean_id(package.tracking_number) or inquiry
                where = f"trackResponse.shipment[{s}].package[{p}]"
                if not number:
                    result.problems.append(f"{where}: no trackingNumber and no inquiryNumber")
                    continue
                tracking = Identifier(type=IdType.tracking_number, value=number, issuer=issuer)
                identifiers = [tracking]
                links: list[IdentifierLink] = []
                if inquiry and (inquiry != number or len(shipment.package) > 1):
                    shipment_id = Identifier(type=IdType.shipment, value=inquiry, issuer=issuer)
                    identifiers.append(shipment_id)
                    links.append(IdentifierLink(child=tracking, parent=shipment_id))
                for a, activity in enumerate(package.activity):
                    try:
                        result.events.append(
                            self._event(activity, identifiers, links, ctx, raw, ingested_at)
                        )
                    except (ValueError, OverflowError) as exc:
                        result.problems.append(f"{where}.activity[{a}]: {exc}")
        if not result.events and not result.problems:
            result.problems.append("UPS response has no tracking activity")
        return result

    @staticmethod
    def _event(
        activity: Activity,
        identifiers: list[Identifier],
        links: list[IdentifierLink],
        ctx: PartnerContext,
        raw: RawMessage,
        ingested_at: datetime,
    ) -> JourneyEvent:
        status = activity.status
        karrio = TrackingStatus.find(status.code, status.type)
        milestone = MILESTONES[karrio.name] if karrio else Milestone.unknown
        occurred_at, flags = activity_time(activity)
        if karrio is None:
            flags = (*flags, UNKNOWN_STATUS)
        exception = None
        if milestone in EXCEPTIONAL:
            if karrio is TrackingStatus.cancelled:
                reason, responsible = "retailer_cancelled", Responsible.retailer
            else:
                reason = TrackingIncidentReason.find(status.code)
                responsible = responsible_for(reason)
            exception = ExceptionInfo(
                reason=reason, responsible=responsible, description=status.description.strip()
            )
        location = location_text(activity.location)
        return build_event(
            ctx=ctx,
            raw=raw,
            ingested_at=ingested_at,
            milestone=milestone,
            occurred_at=occurred_at,
            identifiers=identifiers,
            links=links,
            raw_status="/".join(p for p in (status.type.strip(), status.code.strip()) if p),
            description=status.description.strip(),
            exception=exception,
            location=location,
            discriminator=location,
            extra_flags=flags,
        )


ADAPTER = UpsAdapter()
