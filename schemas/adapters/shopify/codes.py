"""Shopify's status codes mapped to canonical milestones (karrio-style code tables)."""

from __future__ import annotations

from enum import Enum, StrEnum

from schemas.canonical import Milestone


class Topic(StrEnum):
    """Webhook topics this format understands (value of the ``X-Shopify-Topic`` header)."""

    orders_create = "orders/create"
    orders_updated = "orders/updated"
    orders_cancelled = "orders/cancelled"
    fulfillments_create = "fulfillments/create"
    fulfillments_update = "fulfillments/update"
    fulfillment_events_create = "fulfillment_events/create"


ORDER_TOPICS = frozenset({Topic.orders_create, Topic.orders_updated, Topic.orders_cancelled})
FULFILLMENT_TOPICS = frozenset({Topic.fulfillments_create, Topic.fulfillments_update})


class ShipmentStatus(Enum):
    """``FulfillmentEvent.status`` and ``Fulfillment.shipment_status`` -> milestone.

    ``confirmed`` means the carrier knows the shipment but does not hold it yet (karrio's
    ``pending``), so it is a label milestone, not an order confirmation. ``picked_up`` is
    the customer collecting from a pickup point after ``ready_for_pickup``: a delivery.
    """

    label_created = ["label_printed", "label_purchased", "confirmed"]
    ready_for_pickup = ["ready_for_pickup"]
    picked_up = ["carrier_picked_up"]
    in_transit = ["in_transit"]
    out_for_delivery = ["out_for_delivery"]
    delivery_failed = ["attempted_delivery"]
    delayed = ["delayed"]
    exception = ["failure"]
    delivered = ["delivered", "picked_up"]

    @classmethod
    def milestone(cls, code: str) -> Milestone:
        code = code.strip().lower()
        return next(
            (Milestone(status.name) for status in cls if code in status.value),
            Milestone.unknown,
        )


#: ``Fulfillment.status`` values that end a fulfillment without a shipment.
FULFILLMENT_CANCELLED = frozenset({"cancelled"})
FULFILLMENT_FAILED = frozenset({"failure", "error"})

#: ``tracking_company`` as merchants type it -> carrier code used as tracking-number issuer.
CARRIER_CODES: dict[str, str] = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "dhl": "dhl_express",
    "dhl express": "dhl_express",
    "dhl ecommerce": "dhl_ecommerce",
    "canada post": "canadapost",
    "royal mail": "royalmail",
    "australia post": "australiapost",
    "purolator": "purolator",
    "ontrac": "ontrac",
    "gls": "gls",
    "dpd": "dpd",
}
