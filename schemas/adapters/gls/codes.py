"""GLS parcel statuses and event codes -> karrio statuses (karrio's GLS table, extended).

karrio maps the parcel's ``status``; GLS event codes are ``<STATUS>.<DETAIL>``
(``INTRANSIT.NORMAL``), so an event is looked up by its whole code, then its status part.
GLS spells its first scans ``INTIAL.*`` (sic); both spellings are listed. ``DELIVEREDPS``
(delivered to a parcel shop, which karrio lists twice) is ready for the consignee's pickup.
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    pending = ["PLANNEDPICKUP", "INPICKUP", "PREADVICE", "INTIAL.PREADVICE", "INITIAL.PREADVICE"]
    picked_up = ["INTIAL.NORMAL", "INITIAL.NORMAL", "INTIAL", "INITIAL", "PICKEDUP"]
    in_transit = ["INTRANSIT", "INWAREHOUSE"]
    out_for_delivery = ["INDELIVERY"]
    ready_for_pickup = ["DELIVEREDPS"]
    delivered = ["DELIVERED", "DELIVEREDPS", "FINAL"]
    delivery_failed = ["NOTPICKEDUP", "NOTDELIVERED"]
    cancelled = ["CANCELED"]


class TrackingIncidentReason(CodeTable):
    """GLS event details (after the dot) that name an incident."""

    consignee_not_home = ["NOTATHOME", "NOTHOME"]
    consignee_refused = ["REFUSED", "ACCEPTANCEREFUSED"]
    consignee_incorrect_address = ["WRONGADDRESS", "ADDRESSNOTFOUND"]
    carrier_damaged_parcel = ["DAMAGED"]


KARRIO_DEVIATIONS: dict[str, str] = {}


def status_of(code: str) -> str:
    code = code.strip().upper()
    return TrackingStatus.find(code) or TrackingStatus.find(code.split(".", 1)[0])


def incident_of(code: str) -> str:
    detail = code.strip().upper().split(".", 1)[-1] if "." in code else ""
    return TrackingIncidentReason.find(detail) if detail else ""
