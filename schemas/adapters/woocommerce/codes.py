"""WooCommerce order statuses and webhook topics -> canonical milestones."""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable
from schemas.canonical import Responsible

TOPIC_HEADER = "x-wc-webhook-topic"

#: ``x-wc-webhook-topic`` values for orders; ``created`` reports the placement itself.
CREATED = "order.created"
DELETED = "order.deleted"
TOPICS = (CREATED, "order.updated", "order.restored", DELETED)


class OrderStatus(CodeTable):
    """``status`` -> milestone name. ``completed`` is WooCommerce's "fulfilled and shipped"
    (with Shipment Tracking's numbers when the store uses it): the label step, as for
    Shopify fulfillments. ``refunded`` reverses the order as cancellation does."""

    order_placed = ["pending", "checkout-draft"]
    order_confirmed = ["processing"]
    on_hold = ["on-hold"]
    label_created = ["completed"]
    order_cancelled = ["cancelled", "refunded", "trash"]
    exception = ["failed"]


#: Exceptional statuses -> (karrio incident reason, responsible party).
INCIDENTS: dict[str, tuple[str, Responsible]] = {
    "on-hold": ("retailer_not_ready", Responsible.retailer),
    "failed": ("payment_issue", Responsible.consignee),
}

#: Shipment Tracking ``tracking_provider`` slugs -> carrier codes (issuer of the number).
PROVIDERS: dict[str, str] = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "dhl-us": "dhl_express",
    "dhl-express": "dhl_express",
    "canada-post": "canadapost",
    "purolator": "purolator",
    "royal-mail": "royalmail",
    "dpd": "dpd",
    "dpd-uk": "dpd",
    "gls": "gls",
}
