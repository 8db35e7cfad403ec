"""Amazon's status codes -> canonical milestones (karrio-style code tables).

Amazon writes the same status in several spellings across APIs (``Canceled`` in Orders
v0, ``CANCELLED`` in 2026-01-01, ``SHIPPING`` in MFN notifications), so lookups ignore
case; each table lists the spellings Amazon documents.
"""

from __future__ import annotations

import re

from schemas.adapters.carrier import CodeTable
from schemas.canonical import Milestone, Responsible


class NotificationType:
    """``NotificationType`` values this format maps."""

    order_change = "ORDER_CHANGE"
    order_status_change = "ORDER_STATUS_CHANGE"
    mfn_order_status_change = "MFN_ORDER_STATUS_CHANGE"
    fulfillment_order_status = "FULFILLMENT_ORDER_STATUS"
    fba_outbound_shipment_status = "FBA_OUTBOUND_SHIPMENT_STATUS"
    tracking_milestone_changed = "SHIPMENT_TRACKING_MILESTONE_CHANGED"


SUPPORTED_NOTIFICATIONS = (
    NotificationType.order_change,
    NotificationType.order_status_change,
    NotificationType.mfn_order_status_change,
    NotificationType.fulfillment_order_status,
    NotificationType.fba_outbound_shipment_status,
    NotificationType.tracking_milestone_changed,
)

#: Notification types that are about listings, prices or inventory, never an order.
NOT_ABOUT_ORDERS = frozenset(
    {
        "ITEM_SALES_EVENT_CHANGE",
        "ITEM_INVENTORY_EVENT_CHANGE",
        "ANY_OFFER_CHANGED",
        "B2B_ANY_OFFER_CHANGED",
        "FBA_INVENTORY_AVAILABILITY_CHANGES",
        "LISTINGS_ITEM_STATUS_CHANGE",
        "LISTINGS_ITEM_ISSUES_CHANGE",
        "PRICING_HEALTH",
        "REPORT_PROCESSING_FINISHED",
        "FEED_PROCESSING_FINISHED",
        "BRANDED_ITEM_CONTENT_CHANGE",
        "ITEM_PRODUCT_TYPE_CHANGE",
        "PRODUCT_TYPE_DEFINITIONS_CHANGE",
        "FEE_PROMOTION",
        "ACCOUNT_STATUS_CHANGED",
    }
)


class OrderStatus(CodeTable):
    """Order status (Orders v0, 2026-01-01, order notifications) -> milestone name.

    ``Shipped`` on a marketplace means the seller confirmed the shipment with its
    tracking number: the label step, as for Shopify fulfillments.
    """

    order_placed = ["Pending", "PENDING", "PendingAvailability", "InvoiceUnconfirmed"]
    order_confirmed = ["Unshipped", "UNSHIPPED", "SHIPPING"]
    label_created = ["PartiallyShipped", "PARTIALLY_SHIPPED", "Shipped", "SHIPPED"]
    order_cancelled = ["Canceled", "CANCELED", "Cancelled", "CANCELLED"]
    exception = ["Unfulfillable", "UNFULFILLABLE"]


class FulfillmentOrderStatusCode(CodeTable):
    """MCF/FBA ``FulfillmentOrderStatus`` -> milestone name."""

    released_to_warehouse = ["RECEIVED", "PLANNING", "PROCESSING", "New", "Received", "Planning"]
    handed_off = ["COMPLETE", "COMPLETE_PARTIALLED", "COMPLETE_PARTIALLY", "Complete"]
    order_cancelled = ["CANCELLED", "Cancelled"]
    exception = ["INVALID", "UNFULFILLABLE", "Invalid", "Unfulfillable"]


class FulfillmentShipmentStatus(CodeTable):
    """``FulfillmentShipmentStatus`` (and FBA outbound ``ShipmentStatus``) -> milestone name.

    ``PROCESSED`` (in Amazon's own notification example) is a shipment whose packages have
    their carrier and tracking numbers: the label step.
    """

    released_to_warehouse = ["PENDING", "Created", "CREATED"]
    label_created = ["PROCESSED"]
    handed_off = ["SHIPPED", "Shipped"]
    exception = ["CANCELLED_BY_FULFILLER", "CANCELLED_BY_SELLER", "Cancelled", "CANCELLED"]


#: Cancellation codes -> (karrio incident reason, responsible party).
CANCELLATIONS: dict[str, tuple[str, Responsible]] = {
    "CANCELLED_BY_SELLER": ("retailer_cancelled", Responsible.retailer),
    "CANCELLED_BY_FULFILLER": ("unknown", Responsible.warehouse),
    "CANCELLED": ("unknown", Responsible.unknown),
    "INVALID": ("retailer_incorrect_data", Responsible.retailer),
    "UNFULFILLABLE": ("unknown", Responsible.warehouse),
}


class TrackingMilestoneCode(CodeTable):
    """Amazon Tracking API (2026-01-30) milestone ``status.code`` -> milestone name."""

    released_to_warehouse = ["ORDER_PREPARING"]
    label_created = ["CARRIER_ASSIGNED", "LABEL_CREATED", "BOOKING_CONFIRMED"]
    picked_up = ["SHIPPED", "PICKED_UP"]
    in_transit = [
        "IN_TRANSIT", "ARRIVED_AT_FACILITY", "DEPARTED_FACILITY", "CUSTOMS_CLEARED",
        "CUSTOMS_CLEARANCE_STARTED",
    ]  # fmt: skip
    out_for_delivery = ["OUT_FOR_DELIVERY"]
    delivered = ["DELIVERED"]
    delivery_failed = ["DELIVERY_ATTEMPTED", "UNDELIVERABLE", "DELIVERY_FAILED"]
    ready_for_pickup = ["AVAILABLE_FOR_PICKUP", "READY_FOR_PICKUP"]
    returned_to_sender = ["RETURNING_TO_SELLER", "RETURNED_TO_SELLER", "RETURN_TO_SENDER"]
    delayed = ["DELAYED"]
    order_cancelled = ["ORDER_CANCELLED"]
    exception = ["LOST", "DAMAGED", "CANCELLED"]


class PackageTrackingEventCode(CodeTable):
    """Fulfillment Outbound ``trackingEvents[].eventCode`` -> milestone name."""

    label_created = ["EVENT_101"]
    picked_up = ["EVENT_102", "EVENT_415"]
    in_transit = ["EVENT_201", "EVENT_202", "EVENT_203", "EVENT_204", "EVENT_205", "EVENT_206"]
    out_for_delivery = ["EVENT_302"]
    delivered = ["EVENT_301"]
    delivery_failed = ["EVENT_304", "EVENT_407", "EVENT_416"]
    ready_for_pickup = ["EVENT_308"]
    returned_to_sender = ["EVENT_309", "EVENT_408"]
    on_hold = ["EVENT_306", "EVENT_307", "EVENT_401", "EVENT_406", "EVENT_411", "EVENT_412"]
    delayed = ["EVENT_402", "EVENT_403", "EVENT_404", "EVENT_413", "EVENT_414", "EVENT_417"]
    exception = ["EVENT_405", "EVENT_409", "EVENT_418", "EVENT_419"]


class PackageTrackingIncident(CodeTable):
    """Fulfillment Outbound exceptional ``eventCode`` -> karrio incident reason."""

    consignee_incorrect_address = ["EVENT_401", "EVENT_419"]
    customs_delay = ["EVENT_402"]
    customs_duties_unpaid = ["EVENT_413"]
    consignee_refused = ["EVENT_407"]
    carrier_damaged_parcel = ["EVENT_405"]
    carrier_parcel_lost = ["EVENT_409"]
    carrier_sorting_error = ["EVENT_414", "EVENT_417"]
    force_majeure = ["EVENT_404"]
    consignee_not_available = ["EVENT_304", "EVENT_306"]


class TrackingMilestoneIncident(CodeTable):
    """Tracking API exceptional ``status.code`` -> karrio incident reason."""

    carrier_parcel_lost = ["LOST"]
    carrier_damaged_parcel = ["DAMAGED"]
    consignee_not_available = ["DELIVERY_ATTEMPTED"]


#: Amazon order ids look like ``113-2646096-4474645``; a seller's id usually does not.
AMAZON_ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")

#: Milestones that carry exception details, and who they are attributed to by default.
EXCEPTIONAL: dict[Milestone, Responsible] = {
    Milestone.exception: Responsible.unknown,
    Milestone.on_hold: Responsible.unknown,
    Milestone.delayed: Responsible.carrier,
    Milestone.delivery_failed: Responsible.consignee,
}
