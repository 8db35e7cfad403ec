"""What a WooCommerce store would send for a simulated order: ``order.*`` webhooks.

order_placed    -> order.created, status pending
label_created   -> order.updated, status completed, with Shipment Tracking's tracking items
order_cancelled -> order.updated, status cancelled
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("3a0d6c42-9b1e-4f7a-8c55-7e2d1f0b9a33")
STORE_TZ = timezone(timedelta(hours=-6))
STORE_URL = "https://shop.seamscope-demo.example/"
PROVIDERS = {"ups": "ups", "fedex": "fedex", "usps": "usps", "dhl_express": "dhl-us"}
#: The renderer only knows the step it reports; the order it updates was placed before it.
PLACED_BEFORE = timedelta(days=1)


def _int(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _local(at: datetime) -> str:
    return at.astimezone(STORE_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def _gmt(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class WooCommerceRenderer:
    milestones = frozenset(
        {Milestone.order_placed, Milestone.label_created, Milestone.order_cancelled}
    )

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone is Milestone.order_placed:
            return [_webhook("order.created", _order(order, "pending", at, at))]
        if milestone is Milestone.label_created:
            body = _order(order, "completed", at - PLACED_BEFORE, at)
            body["date_completed"], body["date_completed_gmt"] = _local(at), _gmt(at)
            body["meta_data"].append(
                {
                    "id": uuid.uuid5(_NAMESPACE, order.tracking_number).int % 10**5,
                    "key": "_wc_shipment_tracking_items",
                    "value": [
                        {
                            "tracking_provider": PROVIDERS.get(order.carrier, order.carrier),
                            "custom_tracking_provider": "",
                            "custom_tracking_link": "",
                            "tracking_number": order.tracking_number,
                            "date_shipped": str(int(at.timestamp())),
                            "tracking_id": uuid.uuid5(_NAMESPACE, order.tracking_number).hex,
                        }
                    ],
                }
            )
            return [_webhook("order.updated", body)]
        if milestone is Milestone.order_cancelled:
            return [_webhook("order.updated", _order(order, "cancelled", at - PLACED_BEFORE, at))]
        return []


def _webhook(topic: str, body: dict[str, Any]) -> SimPayload:
    resource, event = topic.split(".")
    delivery = uuid.uuid5(_NAMESPACE, f"{topic}:{body['id']}:{body['date_modified_gmt']}")
    headers = {
        "content-type": "application/json",
        "user-agent": "WooCommerce/9.8.1 Hookshot (WordPress/6.8)",
        "x-wc-webhook-source": STORE_URL,
        "x-wc-webhook-topic": topic,
        "x-wc-webhook-resource": resource,
        "x-wc-webhook-event": event,
        "x-wc-webhook-id": "12",
        "x-wc-webhook-delivery-id": str(delivery.int % 10**8),
    }
    return SimPayload(value=json.dumps(body).encode(), headers=headers)


def _order(order: SimOrder, status: str, created: datetime, modified: datetime) -> dict[str, Any]:
    total = sum((Decimal(i.price) * i.quantity for i in order.items), Decimal("0"))
    paid = status in ("completed", "processing")
    return {
        "id": _int(order.marketplace_order_id),
        "parent_id": 0,
        "number": order.order_number,
        "order_key": "wc_order_" + uuid.uuid5(_NAMESPACE, order.order_number).hex[:13],
        "created_via": "checkout",
        "version": "9.8.1",
        "status": status,
        "currency": order.currency,
        "date_created": _local(created),
        "date_created_gmt": _gmt(created),
        "date_modified": _local(modified),
        "date_modified_gmt": _gmt(modified),
        "total": str(total),
        "customer_id": 0,
        "billing": {"email": order.email},
        "payment_method": "stripe",
        "date_paid": _local(created) if paid else None,
        "date_paid_gmt": _gmt(created) if paid else None,
        "date_completed": None,
        "date_completed_gmt": None,
        "meta_data": [],
        "line_items": [
            {
                "id": uuid.uuid5(_NAMESPACE, f"{order.order_number}:{i.sku}").int % 10**4,
                "name": i.title,
                "quantity": i.quantity,
                "sku": i.sku,
                "price": float(i.price),
                "total": str(Decimal(i.price) * i.quantity),
            }
            for i in order.items
        ],
    }


RENDERER = WooCommerceRenderer()
