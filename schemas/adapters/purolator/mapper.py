"""Purolator ``TrackPackagesByPin`` SOAP answers -> canonical journey events, one per scan.

Scan dates and times are the depot's wall clock without a zone: read as UTC and flagged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import Scan, scan_result
from schemas.adapters.common import aware, clean_id, parse_local, validate, xml_root
from schemas.adapters.purolator.codes import TrackingStatus, incident_of
from schemas.adapters.purolator.models import Scan as PurolatorScan
from schemas.adapters.purolator.models import TrackPackagesByPinResponse

FORMAT = "purolator"
CARRIER = "purolator"


def soap_body(root: str, data: Any) -> tuple[str, Any]:
    """The first element inside a SOAP ``Envelope``'s ``Body`` (name and data)."""
    if root == "Envelope" and isinstance(data, dict) and isinstance(data.get("Body"), dict):
        for name, value in data["Body"].items():
            if not name.startswith(("@", "#")):
                return name, value
    return root, data


class PurolatorAdapter:
    """Purolator tracking web service (SOAP XML), as polled by a tracking gateway."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        root, data, error = xml_root(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        name, body = soap_body(root, data)
        if name == "Fault":
            fault = body if isinstance(body, dict) else {}
            return NormalizeResult.problem(f"Purolator SOAP fault: {fault.get('faultstring', '')}")
        if name != "TrackPackagesByPinResponse":
            return NormalizeResult.problem(
                f"Purolator XML holds {name or 'nothing'}, not a TrackPackagesByPinResponse"
            )
        response, problem = validate(TrackPackagesByPinResponse, body, name)
        if response is None:
            return NormalizeResult.problem(problem or "unreadable Purolator response")
        problems = []
        info = response.response_information
        if info and info.errors:
            problems += [
                f"Purolator error {e.code}: {e.description} {e.additional_information}".strip()
                for e in info.errors.errors
            ]
        items = (
            response.tracking_information_list.items if response.tracking_information_list else []
        )
        scans = []
        for t, item in enumerate(items):
            number = clean_id(item.pin.value if item.pin else None)
            for s, scan in enumerate(item.scans.scans if item.scans else []):
                scan_pin = clean_id(scan.pin.value if scan.pin else None) or number
                if not scan_pin:
                    problems.append(f"TrackingInformation[{t}].Scan[{s}] has no PIN")
                    continue
                try:
                    scans.append(_scan(scan_pin, scan))
                except ValueError as exc:
                    problems.append(f"TrackingInformation[{t}].Scan[{s}]: {exc}")
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "Purolator")


def _scan(number: str, scan: PurolatorScan) -> Scan:
    local = parse_local(scan.scan_date, scan.scan_time, "ScanDate/ScanTime", "%Y-%m-%d %H%M%S")
    occurred_at, flags = aware(local, "ScanDate/ScanTime")
    description = " ".join(p for p in (scan.description.strip(" -"), scan.comment.strip()) if p)
    status = TrackingStatus.find(scan.scan_type.strip())
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=status,
        raw_status=scan.scan_type.strip(),
        description=description,
        location=(scan.depot.name or "").strip() if scan.depot else "",
        incident=incident_of(scan.description, scan.comment)
        if status in ("delivery_failed", "on_hold", "delivery_delayed") or not status
        else "",
        flags=flags,
    )


ADAPTER = PurolatorAdapter()
