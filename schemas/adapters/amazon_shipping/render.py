"""What Amazon Shipping's ``getTracking`` would answer for a simulated parcel, one scan per step."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_ORIGIN = {
    "city": "San Bernardino",
    "stateOrRegion": "CA",
    "countryCode": "US",
    "postalCode": "92408",
}
_HUB = {"city": "Phoenix", "stateOrRegion": "AZ", "countryCode": "US", "postalCode": "85043"}
_DESTINATION = {
    "city": "Seattle",
    "stateOrRegion": "WA",
    "countryCode": "US",
    "postalCode": "98108",
}

#: Milestone -> (eventCode, detail code on the forward leg, location).
SCANS: dict[Milestone, tuple[str, str, dict[str, str]]] = {
    Milestone.picked_up: ("PickedUp", "", _ORIGIN),
    Milestone.in_transit: ("DepartedCarrierFacility", "", _HUB),
    Milestone.out_for_delivery: ("OutForDelivery", "", _DESTINATION),
    Milestone.delivered: ("Delivered", "Signed", _DESTINATION),
    Milestone.delivery_failed: ("DeliveryAttempted", "CustomerUnavailable", _DESTINATION),
}


class AmazonShippingRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, detail, location = SCANS[milestone]
        body: dict[str, Any] = {
            "trackingId": order.tracking_number,
            "alternateLegTrackingId": None,
            "eventHistory": [
                {
                    "eventCode": code,
                    "location": location,
                    "eventTime": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "shipmentType": "FORWARD",
                }
            ],
            "promisedDeliveryDate": None,
            "summary": {
                "status": code,
                "trackingDetailCodes": {"forward": [detail] if detail else [], "returns": []},
            },
        }
        return [
            SimPayload(
                value=json.dumps(body).encode(), headers={"content-type": "application/json"}
            )
        ]


RENDERER = AmazonShippingRenderer()
