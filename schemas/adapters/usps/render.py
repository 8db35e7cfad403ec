"""What the USPS Tracking API would answer for a simulated parcel, one new scan per step."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_ORIGIN = ("JAMAICA", "NY", "11430", -5)
_HUB = ("JACKSONVILLE FL DISTRIBUTION CENTER", None, None, -5)
_DESTINATION = ("HERNANDO", "FL", "34442", -5)

#: Milestone -> (eventCode, eventType, place).
SCANS: dict[Milestone, tuple[str, str, tuple[str, str | None, str | None, int]]] = {
    Milestone.picked_up: ("03", "USPS in possession of item", _ORIGIN),
    Milestone.in_transit: ("A1", "Arrived at USPS Regional Facility", _HUB),
    Milestone.out_for_delivery: ("OF", "Out for Delivery", _DESTINATION),
    Milestone.delivered: ("01", "Delivered, In/At Mailbox", _DESTINATION),
    Milestone.delivery_failed: (
        "02",
        "Notice Left (No Authorized Recipient Available)",
        _DESTINATION,
    ),
    Milestone.ready_for_pickup: ("16", "Available for Pickup", _DESTINATION),
}


class UspsRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, text, (city, state, zip_code, hours) = SCANS[milestone]
        local = at.astimezone(timezone(timedelta(hours=hours)))
        event: dict[str, Any] = {
            "eventType": text,
            "eventTimestamp": local.strftime("%Y-%m-%dT%H:%M:%S"),
            "GMTTimestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "GMTOffset": local.isoformat()[-6:],
            "eventCountry": None,
            "eventCity": city,
            "eventState": state,
            "eventZIP": zip_code,
            "firm": None,
            "name": None,
            "authorizedAgent": "false",
            "eventCode": code,
        }
        body = {
            "trackingNumber": order.tracking_number,
            "mailClass": "USPS Ground Advantage",
            "status": text,
            "statusCategory": text.split(",")[0],
            "statusSummary": f"{text} in {city}.",
            "trackingEvents": [event],
        }
        return [
            SimPayload(
                value=json.dumps(body).encode(), headers={"content-type": "application/json"}
            )
        ]


RENDERER = UspsRenderer()
