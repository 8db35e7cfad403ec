"""What Royal Mail's Tracking API v2 would answer for a simulated item, one event per step."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

LONDON = ZoneInfo("Europe/London")

#: Milestone -> (eventCode, eventName, locationName).
SCANS: dict[Milestone, tuple[str, str, str]] = {
    Milestone.picked_up: ("EVPPA", "Accepted at Post Office", "Stafford Post Office"),
    Milestone.in_transit: ("EVDAV", "Item Received", "Birmingham Mail Centre"),
    Milestone.out_for_delivery: ("EVGPD", "Due to be delivered today", "Exeter Delivery Office"),
    Milestone.delivered: ("EVKSP", "Delivered and Signed", "Exeter Delivery Office"),
    Milestone.delivery_failed: (
        "EVKNA",
        "Delivery Attempted - No Answer",
        "Exeter Delivery Office",
    ),
    Milestone.ready_for_pickup: ("EVPLA", "Available for collection", "Exeter Delivery Office"),
}


class RoyalMailRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, name, location = SCANS[milestone]
        when = at.astimezone(LONDON).isoformat(timespec="seconds")
        piece_id = f"0903675740000{order.tracking_number[-8:]}".upper()
        body = {
            "mailPieces": {
                "mailPieceId": piece_id,
                "carrierShortName": "RM",
                "carrierFullName": "Royal Mail Group Ltd",
                "summary": {
                    "uniqueItemId": piece_id,
                    "oneDBarcode": order.tracking_number,
                    "productId": "TPS48",
                    "productName": "Royal Mail Tracked 48",
                    "lastEventCode": code,
                    "lastEventName": name,
                    "lastEventDateTime": when,
                    "lastEventLocationName": location,
                },
                "events": [
                    {
                        "eventCode": code,
                        "eventName": name,
                        "eventDateTime": when,
                        "locationName": location,
                    }
                ],
            }
        }
        return [
            SimPayload(
                value=json.dumps(body).encode(), headers={"content-type": "application/json"}
            )
        ]


RENDERER = RoyalMailRenderer()
