"""What Walmart Marketplace would give for a simulated order (as a gateway fetches it).

order_placed    -> the order (Orders API ``getAnOrder``) with every line ``Created``
label_created   -> the answer to the seller's shipping update: lines ``Shipped`` with the
                   carrier and tracking number
order_cancelled -> ``PO_LINE_AUTOCANCELLED`` webhook (not shipped in time)
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.adapters.simulation import PROMISED_WITHIN, SimOrder, SimPayload
from schemas.canonical import Milestone

_NAMESPACE = uuid.UUID("9d3c1b7e-5a4f-4e2d-8b6a-1f0e9d8c7b63")
CARRIERS = {"ups": "UPS", "fedex": "FedEx", "usps": "USPS", "dhl_express": "DHL"}
#: The renderer only knows the step it reports; an order it updates was placed before it.
PLACED_BEFORE = timedelta(days=1)


def purchase_order_id(order: SimOrder) -> str:
    """Walmart's 13-digit purchase order id for the simulated marketplace id."""
    digits = "".join(c for c in order.marketplace_order_id if c.isdigit())
    return digits.rjust(13, "0")[-13:]


def customer_order_id(order: SimOrder) -> str:
    return str(uuid.uuid5(_NAMESPACE, order.marketplace_order_id).int)[:13]


def _ms(at: datetime) -> int:
    return int(at.timestamp()) * 1000


class WalmartRenderer:
    milestones = frozenset(
        {Milestone.order_placed, Milestone.label_created, Milestone.order_cancelled}
    )

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone is Milestone.order_placed:
            return [_json({"order": _order(order, at, _ms(at), {"status": "Created"})})]
        if milestone is Milestone.label_created:
            status = {
                "status": "Shipped",
                "trackingInfo": {
                    "shipDateTime": _ms(at),
                    "carrierName": {"carrier": CARRIERS.get(order.carrier, order.carrier.upper())},
                    "methodCode": "Standard",
                    "trackingNumber": order.tracking_number,
                },
            }
            return [_json({"order": _order(order, at - PLACED_BEFORE, _ms(at), status)})]
        if milestone is Milestone.order_cancelled:
            body = {
                "source": {
                    "eventType": "PO_LINE_AUTOCANCELLED",
                    "eventTime": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "eventId": str(uuid.uuid5(_NAMESPACE, f"cancel:{order.order_number}")),
                },
                "payload": {
                    "partnerId": "10001234567",
                    "purchaseOrderId": purchase_order_id(order),
                    "customerOrderId": customer_order_id(order),
                    "sellerOrderId": order.order_number,
                    "orderLines": [
                        {
                            "lineNumber": str(n),
                            "sku": item.sku,
                            "status": "CANCELLED",
                            "statusDate": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                            "cancellationReason": "SELLER_CANCEL_AUTO",
                        }
                        for n, item in enumerate(order.items, 1)
                    ],
                },
            }
            return [_json(body)]
        return []


def _json(body: dict[str, Any]) -> SimPayload:
    return SimPayload(value=json.dumps(body).encode(), headers={"content-type": "application/json"})


def _order(
    order: SimOrder, placed: datetime, status_ms: int, status: dict[str, Any]
) -> dict[str, Any]:
    return {
        "purchaseOrderId": purchase_order_id(order),
        "customerOrderId": customer_order_id(order),
        "sellerOrderId": order.order_number,
        "customerEmailId": order.email,
        "orderDate": _ms(placed),
        "shippingInfo": {
            "methodCode": "Standard",
            "estimatedShipDate": _ms(placed + timedelta(days=2)),
            "estimatedDeliveryDate": _ms(placed + PROMISED_WITHIN),
        },
        "orderLines": {
            "orderLine": [
                {
                    "lineNumber": str(n),
                    "item": {"productName": item.title, "sku": item.sku},
                    "charges": {
                        "charge": [
                            {
                                "chargeType": "PRODUCT",
                                "chargeName": "ItemPrice",
                                "chargeAmount": {
                                    "currency": order.currency,
                                    "amount": float(item.price),
                                },
                            }
                        ]
                    },
                    "orderLineQuantity": {
                        "unitOfMeasurement": "EACH",
                        "amount": str(item.quantity),
                    },
                    "statusDate": status_ms,
                    "orderLineStatuses": {
                        "orderLineStatus": [
                            {
                                **status,
                                "statusQuantity": {
                                    "unitOfMeasurement": "EACH",
                                    "amount": str(item.quantity),
                                },
                            }
                        ]
                    },
                }
                for n, item in enumerate(order.items, 1)
            ]
        },
    }


RENDERER = WalmartRenderer()
