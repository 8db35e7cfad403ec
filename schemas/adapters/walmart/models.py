"""Walmart Marketplace orders (Orders API v3, order webhooks, WFS fulfillment status).

Two order shapes exist: the Orders API nests lines and statuses
(``orderLines.orderLine[].orderLineStatuses.orderLineStatus[]``, epoch-millisecond
dates), order webhooks flatten them (``orderLines[].status``, ISO dates). Both read into
the same models; dates are kept raw for the mapper to parse.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from schemas.adapters.common import Many


class WalmartModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class CarrierName(WalmartModel):
    carrier: str | None = None
    other_carrier: str | None = Field(default=None, alias="otherCarrier")


class TrackingInfo(WalmartModel):
    ship_date_time: int | str | None = Field(default=None, alias="shipDateTime")
    carrier_name: CarrierName | None = Field(default=None, alias="carrierName")
    tracking_number: str | int | None = Field(default=None, alias="trackingNumber")


class LineStatus(WalmartModel):
    status: str
    tracking_info: TrackingInfo | None = Field(default=None, alias="trackingInfo")


class OrderLine(WalmartModel):
    line_number: str | int = Field(alias="lineNumber")
    status_date: int | str | None = Field(default=None, alias="statusDate")
    statuses: Many[LineStatus] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        """API lines nest ``orderLineStatuses.orderLineStatus``; webhook lines carry ``status``."""
        if not isinstance(data, dict):
            return data
        nested = data.get("orderLineStatuses")
        if isinstance(nested, dict):
            return {**data, "statuses": nested.get("orderLineStatus")}
        if "status" in data:
            return {**data, "statuses": [{"status": data["status"]}]}
        return data


class ShippingInfo(WalmartModel):
    #: The delivery date shown to the customer: the order's promise.
    estimated_delivery_date: int | str | None = Field(default=None, alias="estimatedDeliveryDate")


class WalmartOrder(WalmartModel):
    purchase_order_id: str | int = Field(alias="purchaseOrderId")
    customer_order_id: str | int | None = Field(default=None, alias="customerOrderId")
    seller_order_id: str | int | None = Field(default=None, alias="sellerOrderId")
    order_date: int | str | None = Field(default=None, alias="orderDate")
    shipping_info: ShippingInfo | None = Field(default=None, alias="shippingInfo")
    order_lines: Many[OrderLine] = Field(default_factory=list, alias="orderLines")

    @model_validator(mode="before")
    @classmethod
    def _unwrap_lines(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("orderLines"), dict):
            return {**data, "orderLines": data["orderLines"].get("orderLine")}
        return data


class WebhookSource(WalmartModel):
    event_type: str = Field(default="", alias="eventType")
    event_time: str | None = Field(default=None, alias="eventTime")
    event_id: str | None = Field(default=None, alias="eventId")


class ShipmentDate(WalmartModel):
    date_type_id: str = Field(default="", alias="dateTypeId")
    actual_date: str | None = Field(default=None, alias="actualDate")


class WfsShipment(WalmartModel):
    status: str = ""
    purchase_order_id: str | None = Field(default=None, alias="purchaseOrderId")
    tracking_no: str | None = Field(default=None, alias="trackingNo")
    carrier: str = Field(default="", validation_alias=AliasChoices("carrierDescription", "scac"))
    shipment_no: str | None = Field(default=None, alias="shipmentNo")
    package_id: str | None = Field(default=None, alias="packageId")
    shipment_dates: Many[ShipmentDate] = Field(default_factory=list, alias="shipmentDates")


class WfsOrder(WalmartModel):
    """Multichannel (WFS) fulfillment order status: ``getFulfillmentOrdersStatus``."""

    seller_order_id: str = Field(alias="sellerOrderId")
    status: str = ""
    order_date: str | None = Field(default=None, alias="orderDate")
    shipments: Many[WfsShipment] = Field(default_factory=list)
