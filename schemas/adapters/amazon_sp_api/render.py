"""What Amazon would send for a simulated order.

order_placed    -> the Orders API (2026-01-01) order a gateway fetches on ORDER_CHANGE, with
                   the seller's order number as its SELLER_ORDER_ID alias
label_created   -> FULFILLMENT_ORDER_STATUS (EventType Shipment): shipment, package and
                   tracking number for the seller's fulfillment order
order_cancelled -> ORDER_STATUS_CHANGE with OrderStatus Canceled
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.adapters.simulation import PROMISED_WITHIN, SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("0b6f7a8e-2f0e-4c2d-9a55-5d1c8e0b7a21")
SELLER_ID = "A3SEAMSCOPE0SIM"
MARKETPLACE_ID = "ATVPDKIKX0DER"
APPLICATION_ID = "amzn1.sellerapps.app.5eam5c0p-e000-4000-8000-000000000001"
CARRIER_CODES = {"ups": "UPS", "fedex": "FedEx", "usps": "USPS", "dhl_express": "DHL"}


def amazon_order_id(order: SimOrder) -> str:
    """The simulated marketplace id written the way Amazon writes order ids (3-7-7 digits)."""
    digits = "".join(c for c in order.marketplace_order_id if c.isdigit()).rjust(17, "0")[-17:]
    return f"{digits[:3]}-{digits[3:10]}-{digits[10:]}"


def amazon_shipment_id(order: SimOrder) -> str:
    return "D" + uuid.uuid5(_NAMESPACE, f"shipment:{order.order_number}").hex[:8]


def _time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _notification(kind: str, payload: dict[str, Any], at: datetime, key: str) -> SimPayload:
    notification_id = str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}:{at.isoformat()}"))
    body = {
        "NotificationVersion": "1.0",
        "NotificationType": kind,
        "PayloadVersion": "1.0",
        "EventTime": _time(at),
        "Payload": payload,
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": str(uuid.uuid5(_NAMESPACE, kind)),
            "PublishTime": _time(at),
            "NotificationId": notification_id,
        },
    }
    return SimPayload(value=json.dumps(body).encode(), headers={"content-type": "application/json"})


class AmazonSpApiRenderer:
    milestones = frozenset(
        {Milestone.order_placed, Milestone.label_created, Milestone.order_cancelled}
    )

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone is Milestone.order_placed:
            return [_order_response(order, at)]
        if milestone is Milestone.label_created:
            return [_shipment_notification(order, at)]
        if milestone is Milestone.order_cancelled:
            payload = {
                "OrderStatusChangeNotification": {
                    "SellerId": SELLER_ID,
                    "MarketplaceId": MARKETPLACE_ID,
                    "AmazonOrderId": amazon_order_id(order),
                    "PurchaseDate": None,
                    "OrderStatus": "Canceled",
                    "FulfillmentChannel": "MFN",
                }
            }
            return [_notification("ORDER_STATUS_CHANGE", payload, at, order.order_number)]
        return []


def _order_response(order: SimOrder, at: datetime) -> SimPayload:
    body = {
        "order": {
            "orderId": amazon_order_id(order),
            "orderAliases": [{"aliasId": order.order_number, "aliasType": "SELLER_ORDER_ID"}],
            "createdTime": _time(at),
            "lastUpdatedTime": _time(at),
            "programs": [],
            "salesChannel": {
                "channelName": "AMAZON",
                "marketplaceId": MARKETPLACE_ID,
                "marketplaceName": "Amazon.com",
            },
            "buyer": {"buyerEmail": order.email},
            "fulfillment": {
                "fulfillmentStatus": "UNSHIPPED",
                "fulfilledBy": "MERCHANT",
                "deliverByWindow": {
                    "earliestDateTime": _time(at + PROMISED_WITHIN - timedelta(days=2)),
                    "latestDateTime": _time(at + PROMISED_WITHIN),
                },
            },
            "orderItems": [
                {
                    "orderItemId": str(uuid.uuid5(_NAMESPACE, f"{order.order_number}:{i.sku}").int)[
                        :14
                    ],
                    "quantityOrdered": i.quantity,
                    "product": {
                        "sellerSku": i.sku,
                        "title": i.title,
                        "price": {"unitPrice": {"amount": i.price, "currencyCode": order.currency}},
                    },
                }
                for i in order.items
            ],
            "packages": [],
        }
    }
    return SimPayload(value=json.dumps(body).encode(), headers={"content-type": "application/json"})


def _shipment_notification(order: SimOrder, at: datetime) -> SimPayload:
    package = {
        "PackageNumber": 1,
        "CarrierCode": CARRIER_CODES.get(order.carrier, order.carrier.upper()),
        "TrackingNumber": order.tracking_number,
    }
    payload = {
        "FulfillmentOrderStatusNotification": {
            "SellerId": SELLER_ID,
            "EventType": "Shipment",
            "StatusUpdatedDateTime": _time(at),
            "SellerFulfillmentOrderId": order.order_number,
            "FulfillmentOrderStatus": "PROCESSING",
            "FulfillmentShipment": {
                "FulfillmentShipmentStatus": "PROCESSED",
                "AmazonShipmentId": amazon_shipment_id(order),
                "FulfillmentShipmentPackages": [package],
            },
        }
    }
    return _notification("FULFILLMENT_ORDER_STATUS", payload, at, order.order_number)


RENDERER = AmazonSpApiRenderer()
