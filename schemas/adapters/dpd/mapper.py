"""DPD ``getTrackingData`` SOAP answers -> canonical journey events, one per reached step.

The answer does not repeat the parcel number it was asked about: the polling gateway
sends it in the ``x-tracking-number`` header (``shipmentInfo.parcelLabelNumber`` is used
when present). Step dates are depot-local without a zone: read as UTC and flagged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import (
    TRACKING_NUMBER_HEADER,
    Scan,
    scan_result,
    tracking_number_header,
)
from schemas.adapters.common import aware, clean_id, validate, xml_root
from schemas.adapters.dpd.codes import DATE_FORMATS, TrackingStatus
from schemas.adapters.dpd.models import StatusInfo, TrackingDataResponse, text_of
from schemas.adapters.purolator.mapper import soap_body

FORMAT = "dpd"
CARRIER = "dpd"


def step_time(text: str) -> datetime:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
    raise ValueError(f"date {text!r} is not in a DPD date format")


class DpdAdapter:
    """DPD ParcelLifeCycle tracking (SOAP XML), as polled by a tracking gateway."""

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
            detail = fault.get("detail")
            first = next(iter(detail.values()), None) if isinstance(detail, dict) else None
            inner: dict[str, Any] = first if isinstance(first, dict) else {}
            code = text_of(inner.get("errorCode")) or text_of(fault.get("faultcode"))
            message = text_of(inner.get("errorMessage")) or text_of(fault.get("faultstring"))
            return NormalizeResult.problem(f"DPD SOAP fault {code}: {message}")
        if name != "getTrackingDataResponse":
            return NormalizeResult.problem(
                f"DPD XML holds {name or 'nothing'}, not a getTrackingDataResponse"
            )
        response, problem = validate(TrackingDataResponse, body, name)
        if response is None:
            return NormalizeResult.problem(problem or "unreadable DPD response")
        info = response.tracking_result.shipment_info
        number = clean_id(info.parcel_label_number if info else None) or tracking_number_header(raw)
        if not number:
            return NormalizeResult.problem(
                "DPD tracking answer does not name its parcel: send it with the"
                f" {TRACKING_NUMBER_HEADER} header of the request it answers"
            )
        scans, problems = [], []
        for index, step in enumerate(response.tracking_result.status_info):
            if not step.status_has_been_reached or not step.date:
                continue  # a step still ahead of the parcel
            try:
                scans.append(_scan(number, step))
            except ValueError as exc:
                problems.append(f"statusInfo[{index}]: {exc}")
        return scan_result(scans, problems, ctx, raw, ingested_at, CARRIER, "DPD")


def _scan(number: str, step: StatusInfo) -> Scan:
    occurred_at, flags = aware(step_time(step.date), "date")
    return Scan(
        tracking_number=number,
        occurred_at=occurred_at,
        status=TrackingStatus.find(step.status.strip()),
        raw_status=step.status.strip(),
        description=" - ".join(p for p in (step.label, step.description) if p),
        location=step.location,
        flags=flags,
    )


ADAPTER = DpdAdapter()
