"""Royal Mail Tracking API v2 answers -> canonical journey events, one per event.

The printed barcode (``summary.oneDBarcode``, e.g. ``FQ087430672GB``) is the tracking
number people know; Royal Mail's ``mailPieceId`` is kept as its shipment id. A summary
answer (no event list) reports its last event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import Scan, scan_result
from schemas.adapters.common import clean_id, load_json, parse_time, validate
from schemas.adapters.royalmail.codes import TrackingIncidentReason, TrackingStatus
from schemas.adapters.royalmail.models import Error, Event, MailPiece, TrackingResponse

FORMAT = "royalmail"
CARRIER = "royalmail"


class RoyalMailAdapter:
    """Royal Mail Tracking API v2 JSON (events or summary), as polled by a gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
            return NormalizeResult(problems=_errors(payload))
        document, problem = validate(TrackingResponse, payload, "Royal Mail tracking response")
        if document is None:
            return NormalizeResult.problem(problem or "unreadable Royal Mail response")
        scans: list[Scan] = []
        problems: list[str] = []
        for index, piece in enumerate(document.mail_pieces):
            _piece(piece, f"mailPieces[{index}]", scans, problems)
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "Royal Mail")


def _errors(payload: dict[str, Any]) -> list[str]:
    problems = []
    for item in payload["errors"]:
        error, _ = validate(Error, item)
        if error is not None:
            text = " ".join(p for p in (error.error_description, error.error_resolution) if p)
            problems.append(f"Royal Mail error {error.error_code}: {text or 'no description'}")
    status = f"HTTP {payload.get('httpCode', '?')} {payload.get('httpMessage', '')}".strip()
    return problems or [f"Royal Mail error ({status})"]


def _piece(piece: MailPiece, where: str, scans: list[Scan], problems: list[str]) -> None:
    summary = piece.summary
    piece_id = clean_id(piece.mail_piece_id)
    number = clean_id(summary.one_d_barcode if summary else None) or piece_id
    if not number:
        problems.append(f"Royal Mail {where} has neither oneDBarcode nor mailPieceId")
        return
    events = list(piece.events)
    if not events and summary and summary.last_event_date_time:
        events = [
            Event.model_validate(
                {
                    "eventCode": summary.last_event_code,
                    "eventName": summary.last_event_name,
                    "eventDateTime": summary.last_event_date_time,
                    "locationName": summary.last_event_location_name,
                }
            )
        ]
    for index, event in enumerate(events):
        try:
            occurred_at, flags = parse_time(event.event_date_time, "eventDateTime")
        except ValueError as exc:
            problems.append(f"{where}.events[{index}]: {exc}")
            continue
        code = event.event_code.strip().upper()
        scans.append(
            Scan(
                tracking_number=number,
                occurred_at=occurred_at,
                status=TrackingStatus.find(code),
                raw_status=code,
                description=event.event_name.strip(),
                location=(event.location_name or "").strip(),
                incident=TrackingIncidentReason.find(code),
                flags=flags,
                shipment=piece_id if piece_id != number else "",
            )
        )


ADAPTER = RoyalMailAdapter()
