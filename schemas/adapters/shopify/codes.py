"""Shopify's status codes mapped to canonical milestones (karrio-style code tables)."""

from __future__ import annotations

from enum import Enum, StrEnum

from schemas.canonical import Milestone, Responsible


class Topic(StrEnum):
    """Webhook topics this format understands (value of the ``X-Shopify-Topic`` header)."""

    orders_create = "orders/create"
    orders_updated = "orders/updated"
    orders_cancelled = "orders/cancelled"
    fulfillments_create = "fulfillments/create"
    fulfillments_update = "fulfillments/update"
    fulfillment_events_create = "fulfillment_events/create"
    fulfillment_orders_placed_on_hold = "fulfillment_orders/placed_on_hold"
    fulfillment_orders_hold_released = "fulfillment_orders/hold_released"
    fulfillment_orders_cancelled = "fulfillment_orders/cancelled"
    fulfillment_orders_moved = "fulfillment_orders/moved"
    fulfillment_orders_split = "fulfillment_orders/split"
    fulfillment_orders_rescheduled = "fulfillment_orders/rescheduled"
    fulfillment_orders_order_routing_complete = "fulfillment_orders/order_routing_complete"
    fulfillment_orders_progress_reported = "fulfillment_orders/progress_reported"
    fulfillment_orders_fulfillment_request_submitted = (
        "fulfillment_orders/fulfillment_request_submitted"
    )
    fulfillment_orders_fulfillment_request_accepted = (
        "fulfillment_orders/fulfillment_request_accepted"
    )
    fulfillment_orders_fulfillment_request_rejected = (
        "fulfillment_orders/fulfillment_request_rejected"
    )
    fulfillment_orders_fulfillment_service_failed_to_complete = (
        "fulfillment_orders/fulfillment_service_failed_to_complete"
    )
    fulfillment_orders_cancellation_request_submitted = (
        "fulfillment_orders/cancellation_request_submitted"
    )
    fulfillment_orders_cancellation_request_accepted = (
        "fulfillment_orders/cancellation_request_accepted"
    )
    fulfillment_orders_cancellation_request_rejected = (
        "fulfillment_orders/cancellation_request_rejected"
    )
    fulfillment_holds_added = "fulfillment_holds/added"
    fulfillment_holds_released = "fulfillment_holds/released"


ORDER_TOPICS = frozenset({Topic.orders_create, Topic.orders_updated, Topic.orders_cancelled})
FULFILLMENT_TOPICS = frozenset({Topic.fulfillments_create, Topic.fulfillments_update})

#: Fulfillment order and hold topics -> milestone. A hold stops the order where it is; its
#: release (and routing, moves, splits, a fulfillment service accepting the request) sends
#: the work to a location again: ``released_to_warehouse``. A cancelled fulfillment order
#: (or an accepted cancellation request) is the order cancelled, as far as that location
#: is concerned; a replacement fulfillment order, when there is one, is linked to it.
FULFILLMENT_ORDER_TOPICS: dict[Topic, Milestone] = {
    Topic.fulfillment_orders_placed_on_hold: Milestone.on_hold,
    Topic.fulfillment_holds_added: Milestone.on_hold,
    Topic.fulfillment_orders_hold_released: Milestone.released_to_warehouse,
    Topic.fulfillment_holds_released: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_cancelled: Milestone.order_cancelled,
    Topic.fulfillment_orders_cancellation_request_accepted: Milestone.order_cancelled,
    Topic.fulfillment_orders_cancellation_request_submitted: Milestone.on_hold,
    Topic.fulfillment_orders_cancellation_request_rejected: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_moved: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_split: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_order_routing_complete: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_fulfillment_request_submitted: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_fulfillment_request_accepted: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_progress_reported: Milestone.released_to_warehouse,
    Topic.fulfillment_orders_rescheduled: Milestone.delayed,
    Topic.fulfillment_orders_fulfillment_request_rejected: Milestone.exception,
    Topic.fulfillment_orders_fulfillment_service_failed_to_complete: Milestone.exception,
}

#: ``FulfillmentHold.reason`` -> (karrio incident reason, who the hold is attributed to).
HOLD_REASONS: dict[str, tuple[str, Responsible]] = {
    "awaiting_payment": ("payment_issue", Responsible.consignee),
    "high_risk_of_fraud": ("security_issue", Responsible.retailer),
    "incorrect_address": ("consignee_incorrect_address", Responsible.consignee),
    "inventory_out_of_stock": ("retailer_not_ready", Responsible.retailer),
    "unknown_delivery_date": ("unknown", Responsible.retailer),
    "awaiting_return_items": ("unknown", Responsible.consignee),
    "online_store_post_purchase_cross_sell": ("retailer_not_ready", Responsible.retailer),
    "other": ("unknown", Responsible.retailer),
}


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
