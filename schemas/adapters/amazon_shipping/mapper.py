"""Amazon Shipping ``getTracking`` answers -> canonical journey events, one per scan.

Scans on the RETURNS leg are the parcel going back: any of them is ``return_to_sender``
until it is delivered back, which is the return completed (still ``return_to_sender``).
Exceptional scans take their incident from the scan code, else from the leg's
``trackingDetailCodes`` (``Rejected``, ``Damaged``, ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.amazon_shipping.codes import (
    RETURN_LEG,
    TrackingIncidentReason,
    TrackingStatus,
)
from schemas.adapters.amazon_shipping.models import AmazonShippingTracking, ApiError, TrackingEvent
from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import EXCEPTIONAL, MILESTONES, Scan, place, scan_result
from schemas.adapters.common import clean_id, load_json, parse_time, validate

FORMAT = "amazon_shipping"
CARRIER = "amazon_shipping"


class AmazonShippingAdapter:
    """Amazon Shipping tracking JSON, as polled by a tracking gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        return self.map_document(payload, ctx, raw, ingested_at)

    def map_document(
        self, payload: Any, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime
    ) -> NormalizeResult:
        """A decoded answer (also used by ``amazon_sp_api`` for forwarded Shipping answers)."""
        if not isinstance(payload, dict):
            return NormalizeResult.problem(
                f"Amazon Shipping response must be a JSON object, got {type(payload).__name__}"
            )
        if isinstance(payload.get("payload"), dict):
            payload = payload["payload"]
        errors = payload.get("errors")
        if isinstance(errors, list) and errors and "trackingId" not in payload:
            problems = []
            for item in errors:
                error, _ = validate(ApiError, item)
                if error is not None:
                    text = " ".join(p for p in (error.message, error.details) if p)
                    problems.append(f"Amazon Shipping error {error.code}: {text or 'no message'}")
            return NormalizeResult(problems=problems or ["Amazon Shipping error without details"])
        document, problem = validate(AmazonShippingTracking, payload, "AmazonShippingTracking")
        if document is None:
            return NormalizeResult.problem(problem or "unreadable Amazon Shipping response")
        number = clean_id(document.tracking_id)
        if not number:
            return NormalizeResult.problem("Amazon Shipping response has no trackingId")
        codes = document.summary.tracking_detail_codes if document.summary else None
        scans, problems = [], []
        for index, event in enumerate(document.event_history):
            detail = (
                (codes.returns if event.shipment_type == RETURN_LEG else codes.forward)
                if codes
                else []
            )
            try:
                scans.append(_scan(number, event, detail))
            except ValueError as exc:
                problems.append(f"eventHistory[{index}]: {exc}")
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "Amazon Shipping")


def _scan(number: str, event: TrackingEvent, detail_codes: list[str]) -> Scan:
    occurred_at, flags = parse_time(event.event_time, "eventTime")
    code = event.event_code.strip()
    status = TrackingStatus.find(code)
    returning = event.shipment_type.strip().upper() == RETURN_LEG
    if returning and status in ("delivered", "in_transit", "out_for_delivery"):
        status = "return_to_sender"
    incident = TrackingIncidentReason.find(code)
    if not incident and MILESTONES.get(status) in EXCEPTIONAL:
        # The leg's detail codes mix incidents (Rejected, Damaged) with the rest (Signed).
        incident = next(filter(None, map(TrackingIncidentReason.find, detail_codes)), "")
    location = event.location
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=status,
        raw_status="/".join(p for p in (event.shipment_type.strip(), code) if p),
        description=f"{code} ({event.shipment_type.lower()} leg)",
        location=place(
            location.city, location.state_or_region, location.postal_code, location.country_code
        )
        if location
        else "",
        incident=incident,
        flags=flags,
    )


ADAPTER = AmazonShippingAdapter()
