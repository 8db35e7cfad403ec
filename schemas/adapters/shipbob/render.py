"""What ShipBob would report for a simulated order.

picked, packed -> the shipment's timeline entry, as a gateway polling
                  ``/order/{id}/shipment/{id}/timeline`` forwards it (with the ids it asked
                  about in ``x-shipbob-*`` headers: timelines name neither)
handed_off     -> ``order.shipped`` webhook: the shipment, with the sales channel's order
                  number as ``reference_id``, the tracking number and the carton's SSCC
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("e1d2c3b4-a596-4788-9a0b-1c2d3e4f5061")
CARRIERS = {
    "ups": ("UPS", "Ground"),
    "fedex": ("FedEx", "Home Delivery"),
    "usps": ("USPS", "Priority"),
}
FULFILLMENT_CENTER = (27, "Cicero (IL)")


def shipbob_order_id(order: SimOrder) -> int:
    return uuid.uuid5(_NAMESPACE, f"order:{order.order_number}").int % 10**9


def shipbob_shipment_id(order: SimOrder) -> int:
    return uuid.uuid5(_NAMESPACE, f"shipment:{order.order_number}").int % 10**9


def _time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


#: Timeline steps ShipBob logs: milestone -> (log type id, name, text).
TIMELINE: dict[Milestone, tuple[int, str, str]] = {
    Milestone.picked: (13, "Order Picked", "All items picked"),
    Milestone.packed: (14, "Order Packed", "Packed into 1 box"),
}


class ShipBobRenderer:
    milestones = frozenset({Milestone.picked, Milestone.packed, Milestone.handed_off})

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone in TIMELINE:
            return [_timeline(order, milestone, at)]
        if milestone is not Milestone.handed_off:
            return []
        carrier, service = CARRIERS.get(order.carrier, (order.carrier.upper(), "Ground"))
        body = {
            "id": shipbob_shipment_id(order),
            "order_id": shipbob_order_id(order),
            "reference_id": order.order_number,
            "status": "Completed",
            "created_date": _time(at),
            "actual_fulfillment_date": _time(at),
            "last_update_at": _time(at),
            "location": {"id": FULFILLMENT_CENTER[0], "name": FULFILLMENT_CENTER[1]},
            "recipient": {"email": order.email},
            "products": [
                {"reference_id": i.sku, "sku": i.sku, "name": i.title, "quantity": i.quantity}
                for i in order.items
            ],
            "parent_cartons": [{"barcode": order.sscc, "type": "Box", "cartons": []}],
            "tracking": {
                "carrier": carrier,
                "carrier_service": service,
                "tracking_number": order.tracking_number,
                "shipping_date": _time(at),
            },
            "is_tracking_uploaded": False,
        }
        delivery = uuid.uuid5(_NAMESPACE, f"order.shipped:{order.order_number}:{at.isoformat()}")
        headers = {
            "content-type": "application/json",
            "x-webhook-topic": "order.shipped",
            "webhook-id": f"msg_{delivery.hex}",
            "webhook-timestamp": str(int(at.timestamp())),
        }
        return [SimPayload(value=json.dumps(body).encode(), headers=headers)]


def _timeline(order: SimOrder, milestone: Milestone, at: datetime) -> SimPayload:
    log_type, name, text = TIMELINE[milestone]
    body = [
        {
            "log_type_id": log_type,
            "log_type_name": name,
            "log_type_text": text,
            "metadata": {},
            "timestamp": _time(at),
        }
    ]
    headers = {
        "content-type": "application/json",
        "x-shipbob-order-id": str(shipbob_order_id(order)),
        "x-shipbob-shipment-id": str(shipbob_shipment_id(order)),
        "x-shipbob-reference-id": order.order_number,
    }
    return SimPayload(value=json.dumps(body).encode(), headers=headers)


RENDERER = ShipBobRenderer()
