"""EasyPost trackers -> canonical journey events, one per tracking detail.

Accepts a ``Tracker``, a ``{"trackers": [...]}`` list, or a ``tracker.created`` /
``tracker.updated`` webhook ``Event`` (the tracker is its ``result``). EasyPost is an
aggregator: the tracking number is issued by the tracker's ``carrier``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import Scan, place, scan_result
from schemas.adapters.common import carrier_code, clean_id, load_json_object, parse_time, validate
from schemas.adapters.easypost.codes import (
    PICKUP_DETAILS,
    TrackingIncidentReason,
    TrackingStatus,
)
from schemas.adapters.easypost.models import ApiError, Tracker, TrackingDetail

FORMAT = "easypost"
CARRIER = "easypost"


class EasyPostAdapter:
    """EasyPost tracker JSON (API answers and webhook events)."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json_object(raw, "EasyPost")
        if payload is None:
            return NormalizeResult.problem(error or "no payload")
        if isinstance(payload.get("error"), dict):
            api_error, _ = validate(ApiError, payload["error"])
            text = f"{api_error.code}: {api_error.message}" if api_error else "no details"
            return NormalizeResult.problem(f"EasyPost error {text}")
        if payload.get("object") == "Event":
            kind = str(payload.get("description") or "")
            if not kind.startswith("tracker."):
                return NormalizeResult.problem(
                    f"EasyPost {kind or 'unnamed'} event is not about a tracker"
                )
            payload = payload.get("result")
        trackers: list[Any] = (
            payload["trackers"]
            if isinstance(payload, dict) and isinstance(payload.get("trackers"), list)
            else [payload]
        )
        scans: list[Scan] = []
        problems: list[str] = []
        for index, item in enumerate(trackers):
            _tracker(item, f"trackers[{index}]", scans, problems)
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "EasyPost")


def _tracker(item: Any, where: str, scans: list[Scan], problems: list[str]) -> None:
    tracker, problem = validate(Tracker, item, f"EasyPost tracker ({where})")
    if tracker is None:
        problems.append(problem or "unreadable EasyPost tracker")
        return
    number = clean_id(tracker.tracking_code)
    if not number:
        problems.append(f"EasyPost tracker {tracker.id or where} has no tracking_code")
        return
    issuer = carrier_code(tracker.carrier) if clean_id(tracker.carrier) else ""
    for index, detail in enumerate(tracker.tracking_details):
        try:
            scans.append(_scan(number, issuer, detail))
        except ValueError as exc:
            problems.append(f"{where}.tracking_details[{index}]: {exc}")


def _scan(number: str, issuer: str, detail: TrackingDetail) -> Scan:
    occurred_at, flags = parse_time(detail.datetime, "datetime")
    status = detail.status.strip()
    sub = (detail.status_detail or "").strip()
    location = detail.tracking_location
    found = TrackingStatus.find(status)
    if found == "in_transit" and sub in PICKUP_DETAILS:
        found = "picked_up"
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=found,
        raw_status="/".join(p for p in (status, sub) if p),
        description=(detail.message or detail.description or status).strip(),
        location=place(location.city, location.state, location.zip, location.country)
        if location
        else "",
        incident=TrackingIncidentReason.find(sub) if sub else "",
        flags=flags,
        issuer=issuer,
    )


ADAPTER = EasyPostAdapter()
