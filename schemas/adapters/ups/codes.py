"""UPS status codes -> canonical milestones and incident reasons (karrio-aligned tables).

``TrackingStatus`` keeps karrio's normalized status names and code lists for UPS, so the
table can be checked against karrio's; ``MILESTONES`` maps those names to milestones.
"""

from __future__ import annotations

from enum import Enum

from schemas.adapters import carrier


class TrackingStatus(Enum):
    """Status ``code`` (scan code) or, failing that, status ``type`` -> karrio status."""

    pending = ["M", "MV", "MP", "XD", "OA", "DD"]
    picked_up = ["OR", "PU", "OC", "OG", "P"]
    delivered = ["D", "FS", "KB", "F4"]
    in_transit = ["I", "DP", "AA", "AR", "AF", "AL", "DS", "IH", "AP"]
    out_for_delivery = ["OT", "OD", "OF", "DL"]
    on_hold = ["X", "EX", "HX", "HD", "HI", "HS", "HU", "NH"]
    delivery_failed = ["RF", "UR", "UF", "CC"]
    cancelled = ["VD", "CA", "CN", "CV"]
    ready_for_pickup = ["RP", "UU", "AC", "WC"]
    delivery_delayed = ["DY", "DE", "SD"]
    return_to_sender = ["RS", "RT", "RH", "RU"]

    @classmethod
    def find(cls, code: str, kind: str) -> TrackingStatus | None:
        for key in (code.strip().upper(), kind.strip().upper()):
            if key:
                for status in cls:
                    if key in status.value:
                        return status
        return None


class TrackingIncidentReason(Enum):
    """Scan code -> karrio incident reason, for exceptional milestones only."""

    carrier_damaged_parcel = ["DA", "DM", "DMG"]
    carrier_sorting_error = ["MR", "MSR"]
    carrier_address_not_found = ["NA", "NL", "ANF"]
    carrier_parcel_lost = ["LO", "LT", "LP"]
    carrier_not_enough_time = ["LT", "NT"]
    carrier_vehicle_issue = ["ME", "VB"]
    consignee_refused = ["RF", "RJ", "RE"]
    consignee_business_closed = ["BC", "CL"]
    consignee_not_available = ["NA1", "NI"]
    consignee_not_home = ["NH", "NAH"]
    consignee_incorrect_address = ["IA", "WA", "BA"]
    consignee_access_restricted = ["AR", "NS", "SC"]
    customs_delay = ["CD", "CH", "CI"]
    customs_documentation = ["CM", "CP"]
    customs_duties_unpaid = ["CU", "DU"]
    weather_delay = ["WE", "WD"]
    natural_disaster = ["ND", "EM"]

    @classmethod
    def find(cls, code: str) -> str:
        code = code.strip().upper()
        return next((r.name for r in cls if code in r.value), "unknown")


# The mapping to milestones and who incidents blame are shared by every carrier.
MILESTONES = carrier.MILESTONES
EXCEPTIONAL = carrier.EXCEPTIONAL
responsible_for = carrier.responsible_for
