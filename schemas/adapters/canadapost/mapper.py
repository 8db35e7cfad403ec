"""Canada Post tracking details (XML) -> canonical journey events, one per occurrence.

Times are local with a zone abbreviation (``EST``, ``PDT``, ...), converted to UTC; an
abbreviation Canada Post does not document is read as UTC and flagged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.canadapost.codes import (
    ZONES,
    TrackingIncidentReason,
    TrackingStatus,
    normalize_identifier,
)
from schemas.adapters.canadapost.models import Messages, Occurrence, TrackingDetail
from schemas.adapters.carrier import Scan, place, scan_result
from schemas.adapters.common import aware, clean_id, parse_local, validate, xml_root

FORMAT = "canadapost"
CARRIER = "canadapost"


class CanadaPostAdapter:
    """Canada Post tracking details XML, as polled by a tracking gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        root, data, error = xml_root(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        body: dict[str, Any] = data if isinstance(data, dict) else {}
        if root == "wrapper":  # some gateways wrap the answer
            root = next((k for k in body if not k.startswith(("@", "#"))), "")
            inner = body.get(root)
            body = inner if isinstance(inner, dict) else {}
        if root == "messages":
            messages, _ = validate(Messages, body)
            reasons = (
                [f"{m.code} {m.description}".strip() for m in messages.messages] if messages else []
            )
            return NormalizeResult.problem(
                "Canada Post error: " + ("; ".join(reasons) or "no message")
            )
        if root != "tracking-detail":
            return NormalizeResult.problem(f"Canada Post XML root is {root!r}, not tracking-detail")
        detail, problem = validate(TrackingDetail, body, "Canada Post tracking-detail")
        if detail is None:
            return NormalizeResult.problem(problem or "unreadable Canada Post tracking-detail")
        number = clean_id(detail.pin)
        if not number:
            return NormalizeResult.problem("Canada Post tracking-detail has no pin")
        occurrences = detail.significant_events.occurrences if detail.significant_events else []
        scans, problems = [], []
        for index, occurrence in enumerate(occurrences):
            try:
                scans.append(_scan(number, occurrence))
            except ValueError as exc:
                problems.append(f"significant-events.occurrence[{index}]: {exc}")
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "Canada Post")


def _scan(number: str, occurrence: Occurrence) -> Scan:
    local = parse_local(occurrence.date, occurrence.time, "event-date/event-time")
    zone = ZONES.get(occurrence.time_zone.strip().upper())
    occurred_at, flags = aware(local, "event-date/event-time", local=zone)
    code = normalize_identifier(occurrence.identifier)
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=TrackingStatus.find(code),
        raw_status=occurrence.identifier.strip(),
        description=occurrence.description.strip(),
        location=place(occurrence.site, occurrence.province),
        incident=TrackingIncidentReason.find(code),
        flags=flags,
    )


ADAPTER = CanadaPostAdapter()
