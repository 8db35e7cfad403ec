"""What the UPS Track API would answer for a simulated parcel, one new scan per step.

Each response carries the package's single newest activity with local date/time, GMT
date/time and offset, as UPS returns them; re-rendering the same step gives the same
bytes, so a re-poll normalizes to the same event ids.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: Where each step is scanned: city, state, postal code, UTC offset in hours, SLIC.
_ORIGIN = ("LOUISVILLE", "KY", "40213", -5, "4021")
_HUB = ("HODGKINS", "IL", "60525", -6, "6045")
_DESTINATION = ("SEATTLE", "WA", "98108", -8, "9810")

#: Milestone -> (status type, scan code, statusCode, description, scan location).
SCANS: dict[Milestone, tuple[str, str, str, str, tuple[str, str, str, int, str]]] = {
    Milestone.picked_up: ("P", "PU", "038", "Pickup Scan ", _ORIGIN),
    Milestone.in_transit: ("I", "DP", "005", "Departed from Facility", _HUB),
    Milestone.out_for_delivery: ("I", "OT", "021", "Out For Delivery Today", _DESTINATION),
    Milestone.delivered: ("D", "FS", "011", "DELIVERED ", _DESTINATION),
    Milestone.delivery_failed: (
        "X",
        "UR",
        "007",
        "The receiver was not available for delivery. We'll make a second attempt.",
        _DESTINATION,
    ),
}


class UpsRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        kind, code, status_code, description, place = SCANS[milestone]
        city, state, postal, hours, slic = place
        local = at.astimezone(timezone(timedelta(hours=hours)))
        gmt = at.astimezone(UTC)
        status = {
            "type": kind,
            "description": description,
            "code": code,
            "statusCode": status_code,
            "simplifiedTextDescription": description.strip().title(),
        }
        activity: dict[str, Any] = {
            "location": {
                "address": {
                    "city": city,
                    "stateProvince": state,
                    "postalCode": postal,
                    "countryCode": "US",
                    "country": "US",
                },
                "slic": slic,
            },
            "status": status,
            "date": local.strftime("%Y%m%d"),
            "time": local.strftime("%H%M%S"),
            "gmtDate": gmt.strftime("%Y%m%d"),
            "gmtOffset": local.isoformat()[-6:],
            "gmtTime": gmt.strftime("%H:%M:%S"),
        }
        body = {
            "trackResponse": {
                "shipment": [
                    {
                        "inquiryNumber": order.tracking_number,
                        "package": [
                            {
                                "trackingNumber": order.tracking_number,
                                "activity": [activity],
                                "currentStatus": status,
                                "packageCount": 1,
                                "service": {"code": "003", "description": "UPS Ground"},
                                "referenceNumber": [
                                    {"number": order.order_number, "type": "SHIPMENT"}
                                ],
                            }
                        ],
                        "userRelation": ["SHIPPER"],
                    }
                ]
            }
        }
        headers = {"content-type": "application/json", "transid": f"sim-{order.tracking_number}"}
        return [SimPayload(value=json.dumps(body).encode(), headers=headers)]


RENDERER = UpsRenderer()
