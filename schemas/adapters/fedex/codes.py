"""FedEx scan event types -> canonical milestones and incident reasons (karrio-aligned).

``TrackingStatus`` keeps karrio's normalized status names and FedEx code lists, so the
table can be checked against karrio's; ``MILESTONES`` maps those names to milestones.
"""

from __future__ import annotations

from enum import Enum

from schemas.adapters import carrier


class TrackingStatus(Enum):
    """``eventType`` or, failing that, ``derivedStatusCode`` -> karrio status."""

    pending = ["OC", "OX", "EP", "MD"]
    picked_up = ["PU", "PX", "OF", "AP"]
    delivered = ["DL"]
    in_transit = [
        "IT", "IX", "AA", "AC", "AF", "AR", "AX", "DP", "EA", "EO",
        "FD", "LO", "Ow", "PF", "PL", "PM", "SF", "TR",
    ]  # fmt: skip
    out_for_delivery = ["AD", "ED", "OD"]
    on_hold = ["CD", "SE", "HA"]
    delivery_failed = ["DE"]
    cancelled = ["CA", "RD"]
    ready_for_pickup = ["HL", "HP"]
    delivery_delayed = ["DY", "DD", "PY"]
    return_to_sender = ["RS", "RT"]

    @classmethod
    def find(cls, event_type: str, derived: str = "") -> TrackingStatus | None:
        for code in (event_type.strip(), derived.strip()):
            if code:
                for status in cls:
                    if code in status.value or code.upper() in status.value:
                        return status
        return None


class TrackingIncidentReason(Enum):
    """``exceptionCode`` -> karrio incident reason, for exceptional milestones only."""

    carrier_sorting_error = ["MR", "MSR"]
    carrier_address_not_found = ["NA", "ANF"]
    carrier_vehicle_issue = ["DR"]
    consignee_refused = ["RF", "RJ", "RE"]
    consignee_business_closed = ["BC", "CL"]
    consignee_not_available = ["NA1", "NI"]
    consignee_not_home = ["NH", "NAH"]
    consignee_incorrect_address = ["IA", "WA", "BA"]
    consignee_access_restricted = ["NS", "SC"]
    customs_delay = ["CD", "CP"]
    weather_delay = ["WE", "WD", "PMX"]
    natural_disaster = ["ND", "EM"]
    delivery_exception_hold = ["SEC", "HD"]
    delivery_exception_undeliverable = ["PD", "UD"]

    @classmethod
    def find(cls, code: str) -> str:
        code = code.strip().upper()
        return next((r.name for r in cls if code in r.value), "unknown")


# The mapping to milestones and who incidents blame are shared by every carrier.
MILESTONES = carrier.MILESTONES
EXCEPTIONAL = carrier.EXCEPTIONAL
responsible_for = carrier.responsible_for
