"""DHL Unified Tracking answers -> canonical journey events, one per shipment event.

DHL's five status codes fold pickup and the last mile into ``transit``: the event's own
words ("picked up", "out for delivery") refine it. Event timestamps usually carry no
offset (DHL writes the scan location's wall clock): they are read as UTC and flagged.
Incidents come from words in DHL's remark.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import Scan, place, scan_result
from schemas.adapters.common import clean_id, load_json, parse_time, validate
from schemas.adapters.dhl_universal.codes import (
    TRANSIT_WORDS,
    TrackingIncidentReason,
    TrackingStatus,
)
from schemas.adapters.dhl_universal.models import Event, TrackingResponse

FORMAT = "dhl_universal"
CARRIER = "dhl"


def incident_of(text: str) -> str:
    folded = text.casefold()
    for member in TrackingIncidentReason:
        if any(word in folded for word in member.value):
            return member.name
    return ""


class DhlUniversalAdapter:
    """DHL Shipment Tracking - Unified API JSON, as polled by a tracking gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        if not isinstance(payload, dict):
            return NormalizeResult.problem(
                f"DHL tracking response must be a JSON object, got {type(payload).__name__}"
            )
        if isinstance(payload.get("trackingResponse"), dict):  # a gateway's request/answer pair
            payload = payload["trackingResponse"]
        if "shipments" not in payload and ("title" in payload or "status" in payload):
            return NormalizeResult.problem(_error(payload))
        document, problem = validate(TrackingResponse, payload, "DHL tracking response")
        if document is None:
            return NormalizeResult.problem(problem or "unreadable DHL tracking response")
        scans, problems = [], []
        for s, shipment in enumerate(document.shipments):
            number = clean_id(shipment.id)
            if not number:
                problems.append(f"shipments[{s}] has no id")
                continue
            events = shipment.events or ([shipment.status] if shipment.status else [])
            for e, event in enumerate(events):
                try:
                    scans.append(_scan(number, event))
                except ValueError as exc:
                    problems.append(f"shipments[{s}].events[{e}]: {exc}")
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "DHL")


def _error(payload: dict[str, Any]) -> str:
    title = payload.get("title") or "error"
    detail = payload.get("detail") or ""
    return f"DHL error {payload.get('status', '')} {title}: {detail}".replace(" :", ":").strip()


def _scan(number: str, event: Event) -> Scan:
    occurred_at, flags = parse_time(event.timestamp, "timestamp")
    address = event.location.address if event.location else None
    code = event.status_code.strip()
    text = " ".join(p for p in (event.description, event.remark) if p)
    status = TrackingStatus.find(code)
    if status == "in_transit":
        words = f"{event.status} {event.description}".casefold()
        status = next((s for word, s in TRANSIT_WORDS if word in words), status)
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=status,
        raw_status="/".join(p for p in (code, event.status.strip()) if p),
        description=text or event.status,
        location=place(address.address_locality, address.postal_code, address.country_code)
        if address
        else "",
        incident=incident_of(event.remark) if code in ("failure", "unknown") else "",
        flags=flags,
    )


ADAPTER = DhlUniversalAdapter()
