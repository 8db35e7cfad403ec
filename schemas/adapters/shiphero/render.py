"""What ShipHero would send when it ships a simulated order: a Shipment Update webhook."""

from __future__ import annotations

import json
import uuid
from base64 import b64encode
from datetime import UTC, datetime
from typing import Any

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("c6e7d1a2-4b3f-4e5d-9a8b-0c1d2e3f4a5b")
CARRIERS = {"ups": ("UPS", "UPS Ground"), "fedex": ("FedEx", "FedEx Home Delivery")}
WAREHOUSE = ("Reno", 76733)


def shipment_id(order: SimOrder) -> int:
    return uuid.uuid5(_NAMESPACE, f"shipment:{order.order_number}").int % 10**9


def order_uuid(order: SimOrder) -> str:
    number = uuid.uuid5(_NAMESPACE, f"order:{order.order_number}").int % 10**9
    return b64encode(f"Order:{number}".encode()).decode()


class ShipHeroRenderer:
    milestones = frozenset({Milestone.handed_off})

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone is not Milestone.handed_off:
            return []
        carrier, method = CARRIERS.get(order.carrier, (order.carrier.upper(), "Ground"))
        sid = shipment_id(order)
        line_items: list[dict[str, Any]] = [
            {
                "id": f"{order.order_number}-{n}",
                "shiphero_id": uuid.uuid5(_NAMESPACE, f"{order.order_number}:{i.sku}").int % 10**9,
                "quantity": i.quantity,
                "sku": i.sku,
                "serial_numbers": [],
                "customs_description": i.title,
                "package": "Package #1",
                "lot_id": None,
                "lot_name": None,
                "lot_expiration": None,
            }
            for n, i in enumerate(order.items, 1)
        ]
        body = {
            "test": "0",
            "webhook_type": "Shipment Update",
            "fulfillment": {
                "shipment_id": sid,
                "shipment_uuid": b64encode(f"Shipment:{sid}".encode()).decode(),
                "warehouse": WAREHOUSE[0],
                "warehouse_id": WAREHOUSE[1],
                "warehouse_uuid": b64encode(f"Warehouse:{WAREHOUSE[1]}".encode()).decode(),
                "webhook_type": "Shipment Update",
                "partner_order_id": order.order_number,
                "order_number": f"#{order.order_number}",
                "tracking_number": order.tracking_number,
                "line_items": line_items,
                "custom_tracking_url": "",
                "package_number": 1,
                "total_packages": 1,
                "shipping_method": method,
                "shipping_carrier": carrier,
                "packages": [
                    {
                        "name": "Package #1",
                        "tracking_number": order.tracking_number,
                        "shipping_carrier": carrier,
                        "shipping_method": method,
                    }
                ],
                "completed": True,
                "created_at": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "order_uuid": order_uuid(order),
            },
        }
        headers = {"content-type": "application/json", "x-shiphero-webhook-type": "Shipment Update"}
        return [SimPayload(value=json.dumps(body).encode(), headers=headers)]


RENDERER = ShipHeroRenderer()
