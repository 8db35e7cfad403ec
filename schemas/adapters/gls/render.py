"""What GLS tracking would answer for a simulated parcel, one new scan per step."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: The simulated GLS depots' offset (Central European Time, winter).
DEPOT_TZ = timezone(timedelta(hours=1))

#: Milestone -> (event code, description, city, postal code).
SCANS: dict[Milestone, tuple[str, str, str, str]] = {
    Milestone.label_created: (
        "INTIAL.PREADVICE", "The parcel data was entered into the GLS IT system.", "", "",
    ),
    Milestone.picked_up: (
        "INTIAL.NORMAL", "The parcel was handed over to GLS.", "Berlin", "10437",
    ),
    Milestone.in_transit: (
        "INTRANSIT.NORMAL", "The parcel has left the parcel center.", "Neuenstein", "36286",
    ),
    Milestone.out_for_delivery: (
        "INDELIVERY.NORMAL", "The parcel is expected to be delivered during the day.", "Hamburg",
        "22113",
    ),
    Milestone.delivered: (
        "DELIVERED.NORMAL", "The parcel has been delivered.", "Hamburg", "22113",
    ),
    Milestone.delivery_failed: (
        "NOTDELIVERED.NOTATHOME", "The parcel could not be delivered as the consignee was absent.",
        "Hamburg", "22113",
    ),
}  # fmt: skip


class GlsRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, description, city, postal = SCANS[milestone]
        when = at.astimezone(DEPOT_TZ).strftime("%Y-%m-%dT%H:%M:%S%z")
        body = {
            "parcels": [
                {
                    "requested": order.tracking_number,
                    "unitno": order.tracking_number,
                    "status": code.split(".")[0],
                    "statusDateTime": when,
                    "events": [
                        {
                            "code": code,
                            "city": city,
                            "postalCode": postal,
                            "country": "DE",
                            "description": description,
                            "eventDateTime": when,
                        }
                    ],
                }
            ]
        }
        return [
            SimPayload(
                value=json.dumps(body).encode(), headers={"content-type": "application/json"}
            )
        ]


RENDERER = GlsRenderer()
