"""What Shopify would send for a simulated order: webhooks with their transport headers."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("5c1f3c1e-8f0a-4d55-9b7e-3f6b2f0c5a11")
#: The simulated shop's timezone: Shopify writes shop-local times with their offset.
SHOP_TZ = timezone(timedelta(hours=-5))
API_VERSION = "2025-07"
SHOP_DOMAIN = "seamscope-demo.myshopify.com"

#: Carrier code -> ``tracking_company`` as Shopify merchants pick it.
TRACKING_COMPANIES = {"ups": "UPS", "fedex": "FedEx", "usps": "USPS", "dhl_express": "DHL Express"}
TRACKING_URLS = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
}

#: Milestone -> ``fulfillment_events/create`` status and the message sent with it.
EVENT_STATUSES: dict[Milestone, tuple[str, str]] = {
    Milestone.picked_up: ("carrier_picked_up", "Picked up by carrier"),
    Milestone.in_transit: ("in_transit", "Item is now in transit"),
    Milestone.out_for_delivery: ("out_for_delivery", "Out for delivery"),
    Milestone.delivered: ("delivered", "Delivered"),
    Milestone.delivery_failed: ("attempted_delivery", "Delivery attempted, nobody home"),
}


class ShopifyRenderer:
    """Renders orders/create, orders/cancelled, fulfillments/create and fulfillment events."""

    milestones = frozenset(
        {Milestone.order_placed, Milestone.order_cancelled, Milestone.label_created}
        | set(EVENT_STATUSES)
    )

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone is Milestone.order_placed:
            return [_webhook("orders/create", _order_body(order, at, None), at)]
        if milestone is Milestone.order_cancelled:
            body = _order_body(order, at - timedelta(hours=1), cancelled_at=at)
            return [_webhook("orders/cancelled", body, at)]
        if milestone is Milestone.label_created:
            return [_webhook("fulfillments/create", _fulfillment_body(order, at), at)]
        if milestone in EVENT_STATUSES:
            return [_webhook("fulfillment_events/create", _event_body(order, milestone, at), at)]
        return []


def _time(at: datetime) -> str:
    return at.astimezone(SHOP_TZ).isoformat(timespec="seconds")


def _webhook(topic: str, body: dict[str, Any], at: datetime) -> SimPayload:
    webhook_id = uuid.uuid5(_NAMESPACE, f"{topic}:{body['id']}:{at.isoformat()}")
    headers = {
        "x-shopify-topic": topic,
        "x-shopify-webhook-id": str(webhook_id),
        "x-shopify-shop-domain": SHOP_DOMAIN,
        "x-shopify-api-version": API_VERSION,
        "x-shopify-triggered-at": at.isoformat(),
        "content-type": "application/json",
    }
    return SimPayload(value=json.dumps(body).encode(), headers=headers)


def _int(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _line_items(order: SimOrder) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid.uuid5(_NAMESPACE, f"{order.marketplace_order_id}:{item.sku}").int % 10**15,
            "sku": item.sku,
            "title": item.title,
            "name": item.title,
            "quantity": item.quantity,
            "price": item.price,
            "requires_shipping": True,
            "fulfillment_service": "manual",
        }
        for item in order.items
    ]


def _order_body(
    order: SimOrder, created: datetime, cancelled_at: datetime | None
) -> dict[str, Any]:
    total = sum((Decimal(i.price) * i.quantity for i in order.items), Decimal("0"))
    updated = cancelled_at or created
    return {
        "id": _int(order.marketplace_order_id),
        "admin_graphql_api_id": f"gid://shopify/Order/{order.marketplace_order_id}",
        "name": f"#{order.order_number}",
        "order_number": _int(order.order_number),
        "email": order.email,
        "contact_email": order.email,
        "created_at": _time(created),
        "updated_at": _time(updated),
        "processed_at": _time(created),
        "cancelled_at": _time(cancelled_at) if cancelled_at else None,
        "cancel_reason": "customer" if cancelled_at else None,
        "closed_at": None,
        "confirmed": True,
        "currency": order.currency,
        "presentment_currency": order.currency,
        "subtotal_price": str(total),
        "total_price": str(total),
        "financial_status": "voided" if cancelled_at else "paid",
        "fulfillment_status": None,
        "source_name": "web",
        "line_items": _line_items(order),
    }


def _fulfillment_body(order: SimOrder, at: datetime) -> dict[str, Any]:
    url = TRACKING_URLS.get(order.carrier, "").format(order.tracking_number) or None
    return {
        "id": _int(order.fulfillment_id),
        "admin_graphql_api_id": f"gid://shopify/Fulfillment/{order.fulfillment_id}",
        "order_id": _int(order.marketplace_order_id),
        "name": f"#{order.order_number}.1",
        "status": "success",
        "service": "manual",
        "created_at": _time(at),
        "updated_at": _time(at),
        "email": order.email,
        "shipment_status": None,
        "location_id": None,
        "tracking_company": TRACKING_COMPANIES.get(order.carrier, order.carrier.upper()),
        "tracking_number": order.tracking_number,
        "tracking_numbers": [order.tracking_number],
        "tracking_url": url,
        "tracking_urls": [url] if url else [],
        "line_items": _line_items(order),
    }


def _event_body(order: SimOrder, milestone: Milestone, at: datetime) -> dict[str, Any]:
    status, message = EVENT_STATUSES[milestone]
    event_id = uuid.uuid5(_NAMESPACE, f"{order.fulfillment_id}:{status}:{at.isoformat()}")
    return {
        "id": event_id.int % 10**12,
        "fulfillment_id": _int(order.fulfillment_id),
        "order_id": _int(order.marketplace_order_id),
        "status": status,
        "message": message,
        "happened_at": _time(at),
        "created_at": _time(at),
        "updated_at": _time(at),
        "estimated_delivery_at": None,
        "city": None,
        "province": None,
        "zip": None,
        "country": "US",
        "address1": None,
        "latitude": None,
        "longitude": None,
        "shop_id": 548380009,
        "admin_graphql_api_id": f"gid://shopify/FulfillmentEvent/{event_id.int % 10**12}",
    }


RENDERER = ShopifyRenderer()
