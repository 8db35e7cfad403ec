"""USPS Tracking API v3 answers -> canonical journey events, one per scan.

A scan's time is its ``GMTTimestamp``; else its local ``eventTimestamp`` with ``GMTOffset``;
else the local time read as UTC and flagged. An answer that does not repeat the tracking
number (older shapes) takes it from the gateway's ``x-tracking-number`` header.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import (
    TRACKING_NUMBER_HEADER,
    Scan,
    place,
    scan_result,
    tracking_number_header,
)
from schemas.adapters.common import clean_id, load_json, parse_time, validate
from schemas.adapters.usps.codes import TrackingIncidentReason, status_of
from schemas.adapters.usps.models import ApiError, TrackingEvent, UspsTracking

FORMAT = "usps"
CARRIER = "usps"


class UspsAdapter:
    """USPS Tracking API v3 JSON (one answer, or a list of answers), polled."""

    format = FORMAT
    carrier = CARRIER
    name = "USPS"

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        items = payload if isinstance(payload, list) else [payload]
        scans: list[Scan] = []
        problems: list[str] = []
        for index, item in enumerate(items):
            where = f"[{index}]" if isinstance(payload, list) else "response"
            self._read(item, where, raw, scans, problems)
        return scan_result(scans, problems, ctx, raw, ingested_at, self.carrier, self.name)

    def _read(
        self, item: Any, where: str, raw: RawMessage, scans: list[Scan], problems: list[str]
    ) -> None:
        if not isinstance(item, dict):
            problems.append(f"{self.name} {where} must be a JSON object, got {type(item).__name__}")
            return
        if isinstance(item.get("error"), str):  # OAuth failure
            text = item.get("error_description") or item["error"]
            problems.append(f"{self.name} authentication error {item['error']}: {text}")
            return
        if isinstance(item.get("error"), dict):
            error, _ = validate(ApiError, item["error"])
            if error is not None:
                details = "; ".join(
                    " ".join(p for p in (d.code, d.title, d.detail) if p) for d in error.errors
                )
                text = " ".join(p for p in (error.message, details) if p)
                problems.append(
                    f"{self.name} error {error.code or 'unknown'}: {text or 'no message'}"
                )
            return
        tracking, problem = validate(UspsTracking, item, f"{self.name} tracking ({where})")
        if tracking is None:
            problems.append(problem or f"unreadable {self.name} tracking")
            return
        number = clean_id(tracking.tracking_number) or tracking_number_header(raw)
        if not number:
            problems.append(
                f"{self.name} {where} names no trackingNumber: send it with the"
                f" {TRACKING_NUMBER_HEADER} header of the request it answers"
            )
            return
        for index, event in enumerate(tracking.tracking_events):
            try:
                scans.append(_scan(number, event))
            except ValueError as exc:
                problems.append(f"{where}.trackingEvents[{index}]: {exc}")


def _scan(number: str, event: TrackingEvent) -> Scan:
    if clean_id(event.gmt_timestamp):
        occurred_at, flags = parse_time(event.gmt_timestamp, "GMTTimestamp")
    else:
        occurred_at, flags = parse_time(
            event.event_timestamp, "eventTimestamp", offset=event.gmt_offset
        )
    code = event.event_code.strip()
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=status_of(code, event.event_type),
        raw_status=code or event.event_type.strip(),
        description=event.event_type.strip(),
        location=place(event.event_city, event.event_state, event.event_zip, event.event_country),
        incident=TrackingIncidentReason.find(code) if code else "",
        flags=flags,
    )


ADAPTER = UspsAdapter()
