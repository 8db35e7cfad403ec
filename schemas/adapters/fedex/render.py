"""What the FedEx Track API would answer for a simulated parcel, one new scan per step.

Each response carries the package's single newest scan event with the scan location's
offset, as FedEx returns them; re-rendering a step gives the same bytes and event ids.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: Where each step is scanned: city, state, postal code, UTC offset in hours, location id.
_ORIGIN = ("MEMPHIS", "TN", "38118", -6, "MEMH")
_HUB = ("INDIANAPOLIS", "IN", "46241", -5, "INDH")
_DESTINATION = ("KENT", "WA", "98032", -8, "SEAA")

#: Milestone -> (eventType, derivedStatusCode, description, exceptionCode, exception, place).
SCANS: dict[Milestone, tuple[str, str, str, str, str, tuple[str, str, str, int, str]]] = {
    Milestone.picked_up: ("PU", "PU", "Picked up", "", "", _ORIGIN),
    Milestone.in_transit: ("DP", "IT", "Departed FedEx hub", "", "", _HUB),
    Milestone.out_for_delivery: (
        "OD", "IT", "On FedEx vehicle for delivery", "", "", _DESTINATION,
    ),
    Milestone.delivered: ("DL", "DL", "Delivered", "", "", _DESTINATION),
    Milestone.delivery_failed: (
        "DE", "DE", "Delivery exception", "08",
        "Customer not available or business closed", _DESTINATION,
    ),
}  # fmt: skip

_DERIVED = {"PU": "Picked up", "IT": "In transit", "DL": "Delivered", "DE": "Delivery exception"}


class FedexRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        event_type, derived, description, exc_code, exc_text, place = SCANS[milestone]
        city, state, postal, hours, location_id = place
        local = at.astimezone(timezone(timedelta(hours=hours)))
        scan: dict[str, Any] = {
            "date": local.isoformat(timespec="seconds"),
            "eventType": event_type,
            "eventDescription": description,
            "exceptionCode": exc_code,
            "exceptionDescription": exc_text,
            "scanLocation": {
                "streetLines": [""],
                "city": city,
                "stateOrProvinceCode": state,
                "postalCode": postal,
                "countryCode": "US",
                "residential": False,
                "countryName": "United States",
            },
            "locationId": location_id,
            "locationType": "FEDEX_FACILITY",
            "derivedStatusCode": derived,
            "derivedStatus": _DERIVED[derived],
        }
        number = order.tracking_number
        body = {
            "transactionId": f"sim-{number}-{event_type}-{local.strftime('%Y%m%d%H%M%S')}",
            "output": {
                "completeTrackResults": [
                    {
                        "trackingNumber": number,
                        "trackResults": [
                            {
                                "trackingNumberInfo": {
                                    "trackingNumber": number,
                                    "trackingNumberUniqueId": f"12028~{number}~FDEG",
                                    "carrierCode": "FDXG",
                                },
                                "additionalTrackingInfo": {
                                    "packageIdentifiers": [
                                        {
                                            "type": "CUSTOMER_REFERENCE",
                                            "values": [order.order_number],
                                        }
                                    ],
                                    "hasAssociatedShipments": False,
                                },
                                "latestStatusDetail": {
                                    "code": event_type,
                                    "derivedCode": derived,
                                    "statusByLocale": _DERIVED[derived],
                                    "description": description,
                                },
                                "scanEvents": [scan],
                            }
                        ],
                    }
                ]
            },
        }
        headers = {"content-type": "application/json"}
        return [SimPayload(value=json.dumps(body).encode(), headers=headers)]


RENDERER = FedexRenderer()
