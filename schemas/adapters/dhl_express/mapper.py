"""DHL Express XML-PI tracking answers -> canonical journey events, one per checkpoint.

Checkpoint ``Date``/``Time`` are the service area's wall clock with no offset: read as
UTC and flagged ``timezone_assumed_utc``. An AWB DHL does not know comes back with an
empty ``AWBNumber`` and a condition saying why, which is the problem reported.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import Scan, scan_result
from schemas.adapters.common import aware, clean_id, parse_local, validate, xml_root
from schemas.adapters.dhl_express.codes import TrackingIncidentReason, TrackingStatus
from schemas.adapters.dhl_express.models import ShipmentEvent, Status, TrackingResponse

FORMAT = "dhl_express"
CARRIER = "dhl_express"
ROOTS = frozenset({"TrackingResponse", "ShipmentTrackingErrorResponse"})


def conditions(status: Status | None) -> str:
    if status is None:
        return "no status"
    text = "; ".join(
        " ".join(" ".join(p.split()) for p in (c.code, c.data) if p) for c in status.conditions
    )
    return " ".join(p for p in (status.action_status, text and f"({text})") if p)


class DhlExpressAdapter:
    """DHL Express XML-PI ``TrackingResponse``, as polled by a tracking gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        root, data, error = xml_root(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        if root not in ROOTS:
            return NormalizeResult.problem(
                f"DHL Express XML root is {root!r}, not a TrackingResponse"
            )
        try:
            document, problem = validate(TrackingResponse, data, f"DHL Express {root}")
        except ValidationError as exc:  # pragma: no cover - validate reports it
            return NormalizeResult.problem(str(exc))
        if document is None:
            return NormalizeResult.problem(problem or "unreadable DHL Express response")
        if root == "ShipmentTrackingErrorResponse" or not document.awb_info:
            status = document.response.status if document.response else None
            return NormalizeResult.problem(f"DHL Express error: {conditions(status)}")
        scans, problems = [], []
        for a, awb in enumerate(document.awb_info):
            number = clean_id(awb.awb_number)
            if not number:
                problems.append(f"DHL Express AWBInfo[{a}]: {conditions(awb.status)}")
                continue
            events = awb.shipment_info.shipment_events if awb.shipment_info else []
            for e, event in enumerate(events):
                try:
                    scans.append(_scan(number, event))
                except ValueError as exc:
                    problems.append(f"AWBInfo[{a}].ShipmentEvent[{e}]: {exc}")
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "DHL Express")


def _scan(number: str, event: ShipmentEvent) -> Scan:
    local = parse_local(event.date, event.time, "Date/Time")
    occurred_at, flags = aware(local, "Date/Time")
    service = event.service_event
    code = service.event_code.strip() if service else ""
    area = event.service_area
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=TrackingStatus.find(code),
        raw_status=code,
        description=" ".join((service.description if service else "").split()),
        location=" ".join(area.description.split()) if area else "",
        incident=TrackingIncidentReason.find(code),
        incident_code=code if TrackingStatus.find(code) in ("delivery_failed", "on_hold") else "",
        flags=flags,
    )


ADAPTER = DhlExpressAdapter()
