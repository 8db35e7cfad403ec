"""GLS tracking answers -> canonical journey events, one per scan.

Scans carry ISO times with an offset. The parcel's own ``status`` at ``statusDateTime`` is
reported too when no scan stands for it (GLS often updates the status before the scan
list).
"""

from __future__ import annotations

from datetime import datetime

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import Scan, place, scan_result
from schemas.adapters.common import clean_id, load_json, parse_time, validate
from schemas.adapters.gls.codes import incident_of, status_of
from schemas.adapters.gls.models import Event, Parcel, TrackingResponse

FORMAT = "gls"
CARRIER = "gls"


class GlsAdapter:
    """GLS tracking JSON, as polled by a tracking gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        document, problem = validate(TrackingResponse, payload, "GLS tracking response")
        if document is None:
            return NormalizeResult.problem(problem or "unreadable GLS tracking response")
        scans: list[Scan] = []
        problems: list[str] = []
        for index, parcel in enumerate(document.parcels):
            self._parcel(parcel, f"parcels[{index}]", scans, problems)
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "GLS")

    @staticmethod
    def _parcel(parcel: Parcel, where: str, scans: list[Scan], problems: list[str]) -> None:
        number = clean_id(parcel.unitno) or clean_id(parcel.requested)
        if parcel.error_code:
            message = f"{parcel.error_code} {parcel.error_message or ''}".strip()
            problems.append(f"GLS parcel {number or where}: {message}")
            return
        if not number:
            problems.append(f"GLS {where} has neither unitno nor requested")
            return
        times = set()
        for index, event in enumerate(parcel.events):
            try:
                scan = _scan(number, event)
            except ValueError as exc:
                problems.append(f"{where}.events[{index}]: {exc}")
                continue
            scans.append(scan)
            times.add(scan.occurred_at)
        if parcel.status and parcel.status_date_time:
            try:
                occurred_at, flags = parse_time(parcel.status_date_time, "statusDateTime")
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                return
            if occurred_at not in times:
                scans.append(
                    Scan(
                        tracking_number=number,
                        occurred_at=occurred_at,
                        status=status_of(parcel.status),
                        raw_status=f"status/{parcel.status.strip()}",
                        description=f"Parcel status {parcel.status.strip()}",
                        flags=flags,
                    )
                )


def _scan(number: str, event: Event) -> Scan:
    occurred_at, flags = parse_time(event.event_date_time, "eventDateTime")
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=status_of(event.code),
        raw_status=event.code.strip(),
        description=event.description.strip(),
        location=place(event.city, event.postal_code, event.country),
        incident=incident_of(event.code),
        flags=flags,
    )


ADAPTER = GlsAdapter()
