"""EasyPost tracker statuses -> karrio statuses and incident reasons (karrio's tables).

``KARRIO_DEVIATIONS`` lists where Seamscope departs from karrio, with the reason.
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    pending = ["pre_transit"]
    delivered = ["delivered"]
    in_transit = ["in_transit"]
    out_for_delivery = ["out_for_delivery"]
    ready_for_pickup = ["available_for_pickup"]
    delivery_failed = ["failure", "error"]
    return_to_sender = ["return_to_sender"]
    cancelled = ["cancelled"]
    unknown = ["unknown"]


class TrackingIncidentReason(CodeTable):
    """``status_detail`` -> karrio incident reason."""

    carrier_damaged_parcel = ["damaged"]
    consignee_refused = ["refused"]
    consignee_not_home = ["not_home", "no_one_home"]
    consignee_incorrect_address = ["address_not_found", "incorrect_address"]
    carrier_parcel_lost = ["lost"]
    weather_delay = ["weather_delay"]


#: ``in_transit`` details that are the carrier taking the parcel over.
PICKUP_DETAILS = frozenset({"picked_up", "received_at_origin_facility"})

KARRIO_DEVIATIONS: dict[str, str] = {
    "pre_transit": "pending: EasyPost's pre_transit is a label without a scan (karrio: on_hold)",
    "unknown": "unknown: EasyPost does not know the status either (karrio: on_hold)",
    "return_to_sender": "return_to_sender: the parcel goes back (karrio: delivery_failed)",
}
