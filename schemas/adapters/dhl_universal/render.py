"""What DHL's Unified Tracking API would answer for a simulated parcel, one event per step.

DHL writes event times as the scan location's wall clock without an offset; the simulated
network scans in UTC so the round trip is exact (the events are flagged
``timezone_assumed_utc``, as real ones are).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_ORIGIN = {"countryCode": "DE", "postalCode": "04435", "addressLocality": "Leipzig Hub"}
_DESTINATION = {"countryCode": "NL", "postalCode": "1043 AG", "addressLocality": "Amsterdam"}

#: Milestone -> (statusCode, status, description, remark, address).
SCANS: dict[Milestone, tuple[str, str, str, str, dict[str, str]]] = {
    Milestone.label_created: (
        "pre-transit", "SHIPMENT INFORMATION RECEIVED", "Label created", "", _ORIGIN,
    ),
    Milestone.picked_up: ("transit", "PICKED UP", "The shipment has been picked up", "", _ORIGIN),
    Milestone.in_transit: ("transit", "PROCESSED AT HUB", "Processed at Leipzig hub", "", _ORIGIN),
    Milestone.out_for_delivery: (
        "transit", "OUT FOR DELIVERY", "The shipment is out for delivery", "", _DESTINATION,
    ),
    Milestone.delivered: ("delivered", "DELIVERED", "Delivered", "", _DESTINATION),
    Milestone.delivery_failed: (
        "failure", "DELIVERY ATTEMPTED", "Delivery attempted", "Recipient not at home.",
        _DESTINATION,
    ),
}  # fmt: skip


class DhlUniversalRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, status, description, remark, address = SCANS[milestone]
        event = {
            "timestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "location": {"address": address},
            "statusCode": code,
            "status": status,
            "description": description,
            "remark": remark,
        }
        body = {
            "shipments": [
                {
                    "id": order.tracking_number,
                    "service": "parcel-de",
                    "status": event,
                    "details": {
                        "references": {"number": order.order_number, "type": "customer-reference"}
                    },
                    "events": [event],
                }
            ]
        }
        return [
            SimPayload(
                value=json.dumps(body).encode(), headers={"content-type": "application/json"}
            )
        ]


RENDERER = DhlUniversalRenderer()
