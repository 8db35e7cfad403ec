"""What USPS tracking would answer for a simulated international parcel."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: Milestone -> (eventCode, eventType, city, country).
SCANS: dict[Milestone, tuple[str, str, str, str]] = {
    Milestone.picked_up: ("03", "USPS in possession of item", "NEW YORK", "US"),
    Milestone.in_transit: (
        "10",
        "Processed Through Facility (ISC NEW YORK NY(USPS))",
        "NEW YORK",
        "US",
    ),
    Milestone.out_for_delivery: ("OF", "Out for Delivery", "TORONTO", "CA"),
    Milestone.delivered: ("01", "Delivered", "TORONTO", "CA"),
}


class UspsInternationalRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, text, city, country = SCANS[milestone]
        event = {
            "eventType": text,
            "eventTimestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "GMTTimestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "GMTOffset": "+00:00",
            "eventCountry": country,
            "eventCity": city,
            "eventCode": code,
        }
        body = {
            "trackingNumber": order.tracking_number,
            "mailClass": "Priority Mail International",
            "statusCategory": text,
            "trackingEvents": [event],
        }
        return [
            SimPayload(
                value=json.dumps(body).encode(), headers={"content-type": "application/json"}
            )
        ]


RENDERER = UspsInternationalRenderer()
