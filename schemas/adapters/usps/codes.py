"""USPS tracking -> karrio statuses and incident reasons (karrio's USPS tables, extended).

karrio reads USPS by its status phrases ("delivered", "in transit", ...); Seamscope first
reads each scan's ``eventCode`` (USPS's documented scan codes, added below karrio's), then
the phrase that starts its ``eventType`` ("Delivered, Parcel Locker" -> "delivered").
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    pending = ["GX", "MA", "shipping label created"]
    picked_up = [
        "PICKED_UP", "PU", "picked up", "origin scan", "acceptance",
        "03", "OA", "80", "usps in possession of item",
    ]  # fmt: skip
    in_transit = [
        "in transit", "10", "A1", "T1", "TL", "SF", "07", "U1", "L1", "PC", "NT",
        "arrived at", "departed", "processed",
    ]  # fmt: skip
    out_for_delivery = ["out for delivery", "OF"]
    delivered = ["delivered", "01", "17"]
    delivery_failed = ["delivery failed", "02", "04", "21", "53", "55", "notice left"]
    ready_for_pickup = ["ready for pickup", "14", "16", "available for pickup"]
    on_hold = ["on hold", "52"]
    delivery_delayed = ["delivery delayed"]
    return_to_sender = ["09", "31", "return to sender"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["DAMAGED", "DMG"]
    carrier_sorting_error = ["MISROUTED", "MSR"]
    carrier_address_not_found = ["ADDRESS_NOT_FOUND", "ANF", "NO_SUCH_NUMBER", "21"]
    carrier_parcel_lost = ["LOST", "LO"]
    carrier_not_enough_time = ["LATE", "LT"]
    carrier_vehicle_issue = ["VEHICLE_BREAKDOWN", "VB"]
    consignee_refused = ["REFUSED", "RF", "04"]
    consignee_business_closed = ["BUSINESS_CLOSED", "BC"]
    consignee_not_available = ["NOT_AVAILABLE", "NA"]
    consignee_not_home = ["NOT_HOME", "NH", "02"]
    consignee_incorrect_address = ["INCORRECT_ADDRESS", "IA", "WRONG_ADDRESS"]
    consignee_access_restricted = ["ACCESS_RESTRICTED", "AR", "NO_SECURE_LOCATION", "53"]
    customs_delay = ["CUSTOMS_DELAY", "CD", "CUSTOMS_HOLD"]
    customs_documentation = ["CUSTOMS_DOCUMENTATION", "CM"]
    customs_duties_unpaid = ["CUSTOMS_UNPAID", "CU", "DUTIES_UNPAID"]
    weather_delay = ["WEATHER", "WE", "WEATHER_DELAY"]
    natural_disaster = ["NATURAL_DISASTER", "ND", "EMERGENCY"]
    delivery_attempted = ["DELIVERY_ATTEMPTED", "DA", "ATTEMPTED"]
    no_access_to_delivery_location = ["NO_ACCESS", "NS"]
    signature_required = ["SIGNATURE_REQUIRED", "SR"]
    recipient_moved = ["MOVED", "MV", "RECIPIENT_MOVED"]


KARRIO_DEVIATIONS: dict[str, str] = {}


def status_of(code: str, event_type: str) -> str:
    """The karrio status of a scan: its code, else the phrase its description starts with."""
    found = TrackingStatus.find(code.strip())
    if found:
        return found
    text = event_type.strip().casefold()
    for member in TrackingStatus:
        if any(len(p) > 3 and text.startswith(p.casefold()) for p in member.value):
            return member.name
    return ""
