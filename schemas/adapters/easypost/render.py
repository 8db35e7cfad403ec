"""What EasyPost would send for a simulated parcel: a ``tracker.updated`` webhook event."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d")
CARRIERS = {"ups": "UPS", "fedex": "FedEx", "usps": "USPS", "dhl_express": "DHLExpress"}
_HOUSTON = {
    "object": "TrackingLocation",
    "city": "HOUSTON",
    "state": "TX",
    "country": "US",
    "zip": "77063",
}
_DALLAS = {
    "object": "TrackingLocation",
    "city": "DALLAS",
    "state": "TX",
    "country": "US",
    "zip": "75261",
}
_CHARLESTON = {
    "object": "TrackingLocation",
    "city": "CHARLESTON",
    "state": "SC",
    "country": "US",
    "zip": "29401",
}

#: Milestone -> (status, status_detail, message, location).
SCANS: dict[Milestone, tuple[str, str, str, dict[str, str]]] = {
    Milestone.label_created: ("pre_transit", "label_created", "Shipping Label Created", _HOUSTON),
    Milestone.picked_up: (
        "in_transit", "received_at_origin_facility", "Accepted at USPS Origin Facility", _HOUSTON,
    ),
    Milestone.in_transit: ("in_transit", "departed_facility", "Departed USPS Facility", _DALLAS),
    Milestone.out_for_delivery: (
        "out_for_delivery", "out_for_delivery", "Out for Delivery", _CHARLESTON,
    ),
    Milestone.delivered: (
        "delivered", "arrived_at_destination", "Delivered, In/At Mailbox", _CHARLESTON,
    ),
    Milestone.delivery_failed: (
        "failure", "not_home", "Notice Left (No Authorized Recipient Available)", _CHARLESTON,
    ),
    Milestone.ready_for_pickup: (
        "available_for_pickup", "arrived_at_pickup_location", "Available for Pickup", _CHARLESTON,
    ),
}  # fmt: skip


class EasyPostRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        status, detail, message, location = SCANS[milestone]
        when = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        tracker_id = "trk_" + uuid.uuid5(_NAMESPACE, order.tracking_number).hex
        carrier = CARRIERS.get(order.carrier, order.carrier.upper())
        tracker = {
            "id": tracker_id,
            "object": "Tracker",
            "mode": "production",
            "tracking_code": order.tracking_number,
            "status": status,
            "status_detail": detail,
            "created_at": when,
            "updated_at": when,
            "carrier": carrier,
            "tracking_details": [
                {
                    "object": "TrackingDetail",
                    "message": message,
                    "description": None,
                    "status": status,
                    "status_detail": detail,
                    "datetime": when,
                    "source": carrier,
                    "carrier_code": None,
                    "tracking_location": location,
                }
            ],
        }
        event = {
            "object": "Event",
            "id": "evt_" + uuid.uuid5(_NAMESPACE, f"{tracker_id}:{status}:{when}").hex,
            "mode": "production",
            "description": "tracker.updated",
            "created_at": when,
            "updated_at": when,
            "status": "pending",
            "result": tracker,
        }
        return [
            SimPayload(
                value=json.dumps(event).encode(), headers={"content-type": "application/json"}
            )
        ]


RENDERER = EasyPostRenderer()
