"""Royal Mail event codes -> karrio statuses and incident reasons.

karrio has no status table for Royal Mail (only incidents, kept below as karrio has
them); the status table is Seamscope's, from the event codes Royal Mail's Tracking API v2
sends (``EVKSP`` delivered and signed, ``EVGPD`` out for delivery, ...).
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    pending = ["EVAIE", "EVAIP"]
    picked_up = ["EVPPA", "EVOCO", "EVDAC"]
    in_transit = ["EVDAV", "EVIMC", "EVBAV", "EVIAV", "EVORI", "EVODO", "EVOAC", "EVNMI", "EVGMI"]
    out_for_delivery = ["EVGPD"]
    delivered = ["EVKSP", "EVKSF", "EVKOP", "EVPLC"]
    ready_for_pickup = ["EVPLA", "EVKLS", "EVNDA"]
    delivery_failed = ["EVKNA", "EVKNR", "EVNPS", "EVNSR"]
    on_hold = ["EVNRT", "EVNHE", "EVNCU"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["DAMAGED"]
    carrier_sorting_error = ["MISROUTE", "EVNMI"]
    carrier_parcel_lost = ["LOST"]
    carrier_vehicle_issue = ["DELAY", "VEHICLE"]
    consignee_refused = ["REFUSED", "REF"]
    consignee_business_closed = ["CLOSED"]
    consignee_not_home = ["NOTHOME", "EVNPS", "EVKNA"]
    consignee_incorrect_address = ["BADADDR", "INCORRECT"]
    consignee_access_restricted = ["NOACCESS"]
    customs_delay = ["CUSTOMS", "CUSTOMSHOLD", "EVNCU"]
    customs_documentation = ["CUSTOMSDOC"]
    customs_duties_unpaid = ["CUSTOMS_UNPAID"]
    weather_delay = ["WEATHER"]
    delivery_exception_hold = ["HOLD", "ONHOLD", "EVNHE", "EVNRT"]
    delivery_exception_undeliverable = ["UNDELIVERABLE"]


KARRIO_DEVIATIONS: dict[str, str] = {}
