"""FedEx scan event types -> canonical milestones and incident reasons (karrio-aligned).

``TrackingStatus`` keeps karrio's normalized status names and FedEx code lists, so the
table can be checked against karrio's; ``MILESTONES`` maps those names to milestones.
"""

from __future__ import annotations

from enum import Enum

from schemas.adapters import carrier
from schemas.canonical import Milestone, Responsible


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


#: karrio's normalized tracking status -> canonical milestone.
MILESTONES: dict[str, Milestone] = {
    "pending": Milestone.label_created,
    "picked_up": Milestone.picked_up,
    "delivered": Milestone.delivered,
    "in_transit": Milestone.in_transit,
    "out_for_delivery": Milestone.out_for_delivery,
    "on_hold": Milestone.on_hold,
    "delivery_failed": Milestone.delivery_failed,
    "cancelled": Milestone.exception,
    "ready_for_pickup": Milestone.ready_for_pickup,
    "delivery_delayed": Milestone.delayed,
    "return_to_sender": Milestone.returned_to_sender,
    "unknown": Milestone.unknown,
}

#: Milestones that carry exception details (reason and responsible party).
EXCEPTIONAL = frozenset(
    {Milestone.on_hold, Milestone.delivery_failed, Milestone.delayed, Milestone.exception}
)


def responsible_for(reason: str) -> Responsible:
    """Who an incident reason blames (karrio's prefixes; shared with every carrier)."""
    return carrier.responsible_for(reason)
