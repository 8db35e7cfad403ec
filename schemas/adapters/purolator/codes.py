"""Purolator scan types -> karrio statuses; scan wording -> incident reasons (karrio's tables).

karrio's ``in_transit`` is its fallback (the empty code); Seamscope names Purolator's
other scan types instead (``ProofOfPickUp``, ``Other``: Purolator's generic depot scan).
Incident reasons are phrases found in the scan's description or comment.
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    in_transit = ["", "Other"]
    delivered = ["Delivery"]
    delivery_failed = ["Undeliverable"]
    out_for_delivery = ["OnDelivery"]
    picked_up = ["ProofOfPickUp", "PickUp"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["Damaged", "Package Damaged"]
    carrier_sorting_error = ["Misrouted", "Routing Error"]
    carrier_address_not_found = ["Address Not Found", "Invalid Address"]
    carrier_parcel_lost = ["Lost", "Missing Package"]
    carrier_not_enough_time = ["Insufficient Time"]
    carrier_vehicle_issue = ["Vehicle Breakdown", "Mechanical Issue"]
    consignee_refused = ["Refused", "Delivery Refused", "Recipient Refused"]
    consignee_business_closed = ["Business Closed", "Closed"]
    consignee_not_available = ["Not Available", "Recipient Not Available"]
    consignee_not_home = ["Not Home", "No One Home", "Recipient Not Home"]
    consignee_incorrect_address = ["Incorrect Address", "Wrong Address", "Bad Address"]
    consignee_access_restricted = ["Access Restricted", "Cannot Access", "Restricted Access"]
    customs_delay = ["Customs Delay", "Customs Hold", "Customs Processing"]
    customs_documentation = ["Customs Documentation Required", "Missing Customs Documents"]
    customs_duties_unpaid = ["Duties Unpaid", "Customs Fees Due"]
    weather_delay = ["Weather Delay", "Weather", "Severe Weather"]
    natural_disaster = ["Natural Disaster", "Emergency"]
    delivery_exception_hold = ["Hold", "Customer Hold", "Held at Depot"]
    delivery_exception_undeliverable = ["Undeliverable", "Cannot Deliver"]


KARRIO_DEVIATIONS: dict[str, str] = {}


def incident_of(*texts: str) -> str:
    """The incident whose longest phrase appears in the scan's words ("" when none does)."""
    folded = " ".join(texts).casefold()
    best = ("", 0)
    for member in TrackingIncidentReason:
        for phrase in member.value:
            if phrase.casefold() in folded and len(phrase) > best[1]:
                best = (member.name, len(phrase))
    return best[0]
