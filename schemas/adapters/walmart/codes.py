"""Walmart order line statuses and webhook events -> canonical milestones."""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable
from schemas.canonical import Responsible


class LineStatus(CodeTable):
    """Order line ``status`` -> milestone name (API and webhooks spell case differently).

    ``Shipped`` is the seller's shipping update with carrier and tracking number: the
    label step, as for Shopify fulfillments.
    """

    order_placed = ["Created", "CREATED"]
    order_confirmed = ["Acknowledged", "ACKNOWLEDGED"]
    label_created = ["Shipped", "SHIPPED"]
    delivered = ["Delivered", "DELIVERED"]
    order_cancelled = ["Cancelled", "CANCELLED"]


class WfsStatus(CodeTable):
    """WFS fulfillment order / shipment ``status`` -> milestone name."""

    released_to_warehouse = ["PROCESSING", "PENDING_SHIPMENT_DETAILS", "RECEIVED"]
    handed_off = ["SHIPPED", "AWAITING_DELIVERY", "IN_TRANSIT"]
    delivered = ["DELIVERED"]
    order_cancelled = ["CANCELLED"]


#: Webhook events (``source.eventType`` or ``payload.subEventType``) that decide the
#: milestone themselves -> (milestone, karrio incident reason, responsible party).
EVENTS: dict[str, tuple[str, str, Responsible]] = {
    "PO_LINE_AUTOCANCELLED": ("order_cancelled", "retailer_not_ready", Responsible.retailer),
    "INTENT_TO_CANCEL": ("on_hold", "consignee_cancelled", Responsible.consignee),
    "FRAUD_CANCEL": ("order_cancelled", "security_issue", Responsible.consignee),
}

#: Webhook events about orders; the others (items, prices, reports) carry none.
ORDER_EVENTS = frozenset({"PO_CREATED", "ORDER_UPDATES", *EVENTS})
