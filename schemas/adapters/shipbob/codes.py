"""ShipBob topics, shipment statuses, tracking statuses and timeline steps -> milestones."""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable
from schemas.canonical import Milestone, Responsible

#: Topic headers: dated subscriptions send ``x-webhook-topic``, legacy ones ``shipbob-topic``.
TOPIC_HEADERS = ("x-webhook-topic", "shipbob-topic")
#: Headers a polling gateway adds to timelines, which name neither order nor shipment.
ORDER_ID_HEADER = "x-shipbob-order-id"
SHIPMENT_ID_HEADER = "x-shipbob-shipment-id"
REFERENCE_ID_HEADER = "x-shipbob-reference-id"

#: Topics whose milestone is the topic itself (2026 names and legacy names).
TOPICS: dict[str, Milestone] = {
    "order.shipped": Milestone.handed_off,
    "order_shipped": Milestone.handed_off,
    "order.shipment.delivered": Milestone.delivered,
    "order.delivered": Milestone.delivered,
    "shipment_delivered": Milestone.delivered,
    "order.shipment.exception": Milestone.exception,
    "shipment_exception": Milestone.exception,
    "order.shipment.on_hold": Milestone.on_hold,
    "shipment_onhold": Milestone.on_hold,
    "order.shipment.cancelled": Milestone.order_cancelled,
    "shipment_cancelled": Milestone.order_cancelled,
}
#: Topics whose body's ``status`` (a tracking status) decides the milestone.
TRACKING_TOPICS = frozenset({"order.shipment.tracking_received", "order.shipment.tracking.updated"})


class ShipmentStatus(CodeTable):
    """Shipment ``status`` -> milestone name."""

    released_to_warehouse = ["Processing", "Pending", "ImportReview", "Allocated"]
    label_created = ["LabelCreated", "LabeledCreated", "Labeled"]
    handed_off = ["Completed", "Shipped", "Fulfilled"]
    delivered = ["Delivered"]
    on_hold = ["OnHold"]
    exception = ["Exception"]
    order_cancelled = ["Cancelled"]


class TrackingStatus(CodeTable):
    """Tracking ``substatus`` (else ``status``) -> milestone name."""

    label_created = ["LabelCreated", "AwaitingCarrierScan", "PreTransit", "Processing"]
    picked_up = ["PickedUp", "CarrierPickedUp", "AcceptedByCarrier"]
    in_transit = ["InTransit", "DepartedFacility", "ArrivedAtFacility", "InTransitToDestination"]
    out_for_delivery = ["OutForDelivery"]
    delivered = ["Delivered"]
    delivery_failed = ["DeliveryAttemptFailed", "DeliveryAttempted", "Undeliverable"]
    ready_for_pickup = ["AvailableForPickup", "ReadyForPickup"]
    returned_to_sender = ["ReturnToSender", "ReturnedToSender", "ReturningToSender"]
    exception = ["DeliveryException", "Exception", "Lost", "Damaged"]


#: Timeline step names, matched as words in ``log_type_name`` / ``log_type_text`` (ShipBob
#: logs are free text such as "Order Picked"); the first matching step wins.
TIMELINE_WORDS: tuple[tuple[str, Milestone], ...] = (
    ("cancel", Milestone.order_cancelled),
    ("delivered", Milestone.delivered),
    ("exception", Milestone.exception),
    ("hold", Milestone.on_hold),
    ("shipped", Milestone.handed_off),
    ("label", Milestone.label_created),
    ("packed", Milestone.packed),
    ("picked", Milestone.picked),
    ("created", Milestone.released_to_warehouse),
    ("imported", Milestone.released_to_warehouse),
    ("placed", Milestone.released_to_warehouse),
)

#: ``status_details[].name`` -> (karrio incident reason, responsible party).
STATUS_DETAILS: dict[str, tuple[str, Responsible]] = {
    "OutOfStock": ("retailer_not_ready", Responsible.retailer),
    "InvalidAddress": ("consignee_incorrect_address", Responsible.consignee),
    "AddressValidationFailed": ("consignee_incorrect_address", Responsible.consignee),
    "MissingCustomsInfo": ("customs_documentation", Responsible.retailer),
    "Damaged": ("carrier_damaged_parcel", Responsible.carrier),
}
#: Default party for exceptional milestones without a known detail.
DEFAULT_RESPONSIBLE: dict[Milestone, Responsible] = {
    Milestone.exception: Responsible.warehouse,
    Milestone.on_hold: Responsible.retailer,
    Milestone.delivery_failed: Responsible.consignee,
}
