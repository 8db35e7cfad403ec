"""Amazon Selling Partner API payloads, only the fields Seamscope reads.

Notifications arrive in an envelope (``NotificationType``, ``EventTime``, ``Payload``);
older types spell it in PascalCase, newer ones in camelCase, so envelope fields accept
both. A gateway may also forward API responses it polled (Orders v0 and 2026-01-01,
Fulfillment Outbound, Tracking); those are modelled here too.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


def both(name: str) -> AliasChoices:
    """Accept ``Name`` and ``name``: SP-API notifications use both spellings."""
    return AliasChoices(name, name[0].lower() + name[1:], name[0].upper() + name[1:])


class AmazonModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Notification(AmazonModel):
    """The envelope every SP-API notification shares."""

    notification_type: str = Field(validation_alias=both("NotificationType"))
    event_time: str | None = Field(default=None, validation_alias=both("EventTime"))
    payload: dict[str, Any] = Field(validation_alias=both("Payload"))
    metadata: dict[str, Any] = Field(
        default_factory=dict, validation_alias=both("NotificationMetadata")
    )


# --- order notifications -----------------------------------------------------------------


class OrderChangeTrigger(AmazonModel):
    time_of_order_change: str | None = Field(default=None, alias="TimeOfOrderChange")
    change_reason: str = Field(default="", alias="ChangeReason")


class OrderChangeItem(AmazonModel):
    order_item_id: str | None = Field(default=None, alias="OrderItemId")
    is_buyer_requested_cancel: bool = Field(default=False, alias="IsBuyerRequestedCancel")


class OrderChangeSummary(AmazonModel):
    order_status: str = Field(default="", alias="OrderStatus")
    purchase_date: str | int | None = Field(default=None, alias="PurchaseDate")
    fulfillment_type: str = Field(default="", alias="FulfillmentType")
    order_items: Many[OrderChangeItem] = Field(default_factory=list, alias="OrderItems")


class OrderChange(AmazonModel):
    """``ORDER_CHANGE``: ``Payload.OrderChangeNotification``."""

    amazon_order_id: str = Field(alias="AmazonOrderId")
    order_change_type: str = Field(default="", alias="OrderChangeType")
    trigger: OrderChangeTrigger | None = Field(default=None, alias="OrderChangeTrigger")
    summary: OrderChangeSummary | None = Field(default=None, alias="Summary")


class OrderStatusChange(AmazonModel):
    """``ORDER_STATUS_CHANGE`` and ``MFN_ORDER_STATUS_CHANGE`` (PurchaseDate in epoch ms)."""

    amazon_order_id: str = Field(alias="AmazonOrderId")
    order_status: str = Field(alias="OrderStatus")
    purchase_date: str | int | None = Field(default=None, alias="PurchaseDate")
    order_item_id: str | None = Field(default=None, alias="OrderItemId")
    fulfillment_channel: str = Field(default="", alias="FulfillmentChannel")


# --- fulfillment (FBA / Multi-Channel Fulfillment) ---------------------------------------


class ShipmentPackage(AmazonModel):
    package_number: int | str | None = Field(default=None, validation_alias=both("PackageNumber"))
    carrier_code: str = Field(default="", validation_alias=both("CarrierCode"))
    tracking_number: str | None = Field(default=None, validation_alias=both("TrackingNumber"))


class FulfillmentShipment(AmazonModel):
    status: str = Field(default="", validation_alias=both("FulfillmentShipmentStatus"))
    amazon_shipment_id: str | None = Field(default=None, validation_alias=both("AmazonShipmentId"))
    shipping_date: str | None = Field(default=None, validation_alias=both("ShippingDate"))
    packages: Many[ShipmentPackage] = Field(
        default_factory=list,
        validation_alias=AliasChoices(
            "FulfillmentShipmentPackages",
            "fulfillmentShipmentPackage",
            "FulfillmentShipmentPackage",
        ),
    )


class ReturnItem(AmazonModel):
    received_date_time: str | None = Field(default=None, alias="ReceivedDateTime")
    returned_quantity: int | None = Field(default=None, alias="ReturnedQuantity")
    seller_sku: str = Field(default="", alias="SellerSKU")


class FulfillmentOrderStatus(AmazonModel):
    """``FULFILLMENT_ORDER_STATUS``: one change to an MCF/FBA fulfillment order."""

    event_type: str = Field(default="", alias="EventType")
    status_updated: str | None = Field(default=None, alias="StatusUpdatedDateTime")
    seller_fulfillment_order_id: str = Field(alias="SellerFulfillmentOrderId")
    fulfillment_order_status: str = Field(default="", alias="FulfillmentOrderStatus")
    shipment: FulfillmentShipment | None = Field(default=None, alias="FulfillmentShipment")
    return_item: ReturnItem | None = Field(default=None, alias="FulfillmentReturnItem")


class FbaOutboundShipmentStatus(AmazonModel):
    """``FBA_OUTBOUND_SHIPMENT_STATUS``: an FBA shipment for an Amazon order created/cancelled."""

    amazon_order_id: str = Field(alias="AmazonOrderId")
    amazon_shipment_id: str = Field(alias="AmazonShipmentId")
    shipment_status: str = Field(alias="ShipmentStatus")


# --- tracking (SHIPMENT_TRACKING_MILESTONE_CHANGED and Tracking API 2026-01-30) ----------


class MilestoneStatus(AmazonModel):
    code: str
    sub_code: str = Field(default="", alias="subCode")
    description: str = ""


class Address(AmazonModel):
    city: str | None = None
    region: str | None = Field(default=None, validation_alias=AliasChoices("region", "state"))
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(
        default=None, validation_alias=AliasChoices("countryCode", "country")
    )


class MilestoneLocation(AmazonModel):
    address: Address | None = None


class TrackingMilestone(AmazonModel):
    status: MilestoneStatus
    location: MilestoneLocation | None = None
    occurred_at: str = Field(alias="occurredAt")


class CarrierTracking(AmazonModel):
    tracking_number: str | None = Field(default=None, alias="trackingNumber")
    carrier_code: str = Field(default="", alias="carrierCode")


class TrackingIdentifier(AmazonModel):
    """One of: ``aftn`` (Amazon's own tracking number), the carrier's, or Amazon's ``id``."""

    aftn: str | None = None
    carrier_tracking: CarrierTracking | None = Field(default=None, alias="carrierTracking")
    id: str | None = None


class TrackingDetail(AmazonModel):
    identifier: TrackingIdentifier
    latest_milestone: TrackingMilestone | None = Field(default=None, alias="latestMilestone")
    milestone_history: Many[TrackingMilestone] = Field(
        default_factory=list, alias="milestoneHistory"
    )


# --- API responses -----------------------------------------------------------------------


class OrderV0(AmazonModel):
    """Orders API v0 ``Order``."""

    amazon_order_id: str = Field(alias="AmazonOrderId")
    seller_order_id: str | None = Field(default=None, alias="SellerOrderId")
    purchase_date: str = Field(alias="PurchaseDate")
    last_update_date: str | None = Field(default=None, alias="LastUpdateDate")
    order_status: str = Field(alias="OrderStatus")
    fulfillment_channel: str = Field(default="", alias="FulfillmentChannel")
    latest_delivery_date: str | None = Field(default=None, alias="LatestDeliveryDate")


class OrderAlias(AmazonModel):
    alias_id: str = Field(alias="aliasId")
    alias_type: str = Field(default="", alias="aliasType")


class PackageStatus(AmazonModel):
    status: str = ""
    detailed_status: str = Field(default="", alias="detailedStatus")


class OrderPackage(AmazonModel):
    package_reference_id: str | None = Field(default=None, alias="packageReferenceId")
    created_time: str | None = Field(default=None, alias="createdTime")
    package_status: PackageStatus | None = Field(default=None, alias="packageStatus")
    carrier: str = ""
    ship_time: str | None = Field(default=None, alias="shipTime")
    tracking_number: str | None = Field(default=None, alias="trackingNumber")


class TimeWindow(AmazonModel):
    earliest: str | None = Field(default=None, alias="earliestDateTime")
    latest: str | None = Field(default=None, alias="latestDateTime")


class OrderFulfillment(AmazonModel):
    fulfillment_status: str = Field(default="", alias="fulfillmentStatus")
    fulfilled_by: str = Field(default="", alias="fulfilledBy")
    #: The delivery window promised to the buyer: its end is the promise.
    deliver_by_window: TimeWindow | None = Field(default=None, alias="deliverByWindow")


class FulfillmentOrderRef(AmazonModel):
    fulfillment_order_id: str = Field(alias="fulfillmentOrderId")


class Order2026(AmazonModel):
    """Orders API 2026-01-01 ``Order`` (getOrder, searchOrders)."""

    order_id: str = Field(alias="orderId")
    order_aliases: Many[OrderAlias] = Field(default_factory=list, alias="orderAliases")
    created_time: str = Field(alias="createdTime")
    last_updated_time: str | None = Field(default=None, alias="lastUpdatedTime")
    fulfillment: OrderFulfillment | None = None
    packages: Many[OrderPackage] = Field(default_factory=list)
    fulfillment_orders: Many[FulfillmentOrderRef] = Field(
        default_factory=list, alias="fulfillmentOrders"
    )


class FulfillmentOrderV2020(AmazonModel):
    """Fulfillment Outbound 2020-07-01 ``FulfillmentOrder``."""

    seller_fulfillment_order_id: str = Field(alias="sellerFulfillmentOrderId")
    displayable_order_id: str | None = Field(default=None, alias="displayableOrderId")
    received_date: str | None = Field(default=None, alias="receivedDate")
    status: str = Field(default="", alias="fulfillmentOrderStatus")
    status_updated_date: str | None = Field(default=None, alias="statusUpdatedDate")


class TrackingEventAddress(AmazonModel):
    city: str | None = None
    state: str | None = None
    country: str | None = None


class PackageTrackingEvent(AmazonModel):
    event_date: str = Field(alias="eventDate")
    event_code: str = Field(alias="eventCode")
    event_description: str = Field(default="", alias="eventDescription")
    event_address: TrackingEventAddress | None = Field(default=None, alias="eventAddress")


class PackageTrackingDetails(AmazonModel):
    """Fulfillment Outbound ``getPackageTrackingDetails``."""

    package_number: int | str = Field(alias="packageNumber")
    tracking_number: str | None = Field(default=None, alias="trackingNumber")
    carrier_code: str = Field(default="", alias="carrierCode")
    current_status: str = Field(default="", alias="currentStatus")
    tracking_events: Many[PackageTrackingEvent] = Field(
        default_factory=list, alias="trackingEvents"
    )


class ApiError(AmazonModel):
    code: str = ""
    message: str = ""
    details: str = ""
