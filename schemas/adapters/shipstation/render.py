"""What ShipStation would report when a simulated order ships.

ShipStation's SHIP_NOTIFY webhook only names a resource URL; the gateway fetches it and
forwards the answer: the shipments list, with times in US Pacific time (no offset).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e7f")
PACIFIC = ZoneInfo("America/Los_Angeles")
CARRIERS = {
    "ups": ("ups_walleted", "ups_ground"),
    "fedex": ("fedex", "fedex_home_delivery"),
    "usps": ("stamps_com", "usps_ground_advantage"),
}
WAREHOUSE_ID = 24079


def pacific(at: datetime) -> str:
    """``at`` as ShipStation v1 writes times: Pacific wall clock, 7 decimals, no offset."""
    return at.astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def is_ambiguous(at: datetime) -> bool:
    """True in the repeated hour when Pacific time falls back: the wall clock cannot tell."""
    local = at.astimezone(PACIFIC).replace(tzinfo=None)
    first, second = local.replace(tzinfo=PACIFIC, fold=0), local.replace(tzinfo=PACIFIC, fold=1)
    return first.utcoffset() != second.utcoffset()


class ShipStationRenderer:
    milestones = frozenset({Milestone.handed_off})

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone is not Milestone.handed_off:
            return []
        carrier, service = CARRIERS.get(order.carrier, (order.carrier, f"{order.carrier}_ground"))
        ids = uuid.uuid5(_NAMESPACE, order.order_number).int
        shipment = {
            "shipmentId": ids % 10**8,
            "orderId": (ids // 10**8) % 10**9,
            "orderKey": uuid.uuid5(_NAMESPACE, f"key:{order.order_number}").hex,
            "userId": "c9f06d74-95de-4263-9b04-e87095cababf",
            "orderNumber": order.order_number,
            "createDate": pacific(at),
            "shipDate": at.astimezone(PACIFIC).strftime("%Y-%m-%d"),
            "shipmentCost": 9.41,
            "insuranceCost": 0,
            "trackingNumber": order.tracking_number,
            "isReturnLabel": False,
            "batchNumber": None,
            "carrierCode": carrier,
            "serviceCode": service,
            "packageCode": "package",
            "confirmation": "none",
            "warehouseId": WAREHOUSE_ID,
            "voided": False,
            "voidDate": None,
            "marketplaceNotified": False,
            "shipTo": {"name": "Customer", "country": "US"},
            "shipmentItems": [
                {"sku": i.sku, "name": i.title, "quantity": i.quantity} for i in order.items
            ],
        }
        body = {"shipments": [shipment], "total": 1, "page": 1, "pages": 1}
        headers = {"content-type": "application/json", "x-shipstation-resource-type": "SHIP_NOTIFY"}
        return [SimPayload(value=json.dumps(body).encode(), headers=headers)]


RENDERER = ShipStationRenderer()
