"""ShipStation payloads, only the fields Seamscope reads.

API v1 (orders, and the shipments a ``SHIP_NOTIFY`` webhook's ``resource_url`` returns)
writes times in US Pacific time without an offset. API v2 ``track`` webhooks carry the
carrier's tracking information with ISO 8601 times.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class ShipStationModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class AdvancedOptions(ShipStationModel):
    warehouse_id: int | str | None = Field(default=None, alias="warehouseId")
    store_id: int | str | None = Field(default=None, alias="storeId")


class Order(ShipStationModel):
    order_id: int | str | None = Field(default=None, alias="orderId")
    order_number: str | int | None = Field(default=None, alias="orderNumber")
    order_status: str = Field(alias="orderStatus")
    order_date: str | None = Field(default=None, alias="orderDate")
    create_date: str | None = Field(default=None, alias="createDate")
    modify_date: str | None = Field(default=None, alias="modifyDate")
    payment_date: str | None = Field(default=None, alias="paymentDate")
    hold_until_date: str | None = Field(default=None, alias="holdUntilDate")
    carrier_code: str | None = Field(default=None, alias="carrierCode")
    advanced_options: AdvancedOptions | None = Field(default=None, alias="advancedOptions")


class Shipment(ShipStationModel):
    shipment_id: int | str | None = Field(default=None, alias="shipmentId")
    order_id: int | str | None = Field(default=None, alias="orderId")
    order_number: str | int | None = Field(default=None, alias="orderNumber")
    create_date: str | None = Field(default=None, alias="createDate")
    ship_date: str | None = Field(default=None, alias="shipDate")
    tracking_number: str | int | None = Field(default=None, alias="trackingNumber")
    carrier_code: str | None = Field(default=None, alias="carrierCode")
    service_code: str | None = Field(default=None, alias="serviceCode")
    is_return_label: bool = Field(default=False, alias="isReturnLabel")
    voided: bool = False
    void_date: str | None = Field(default=None, alias="voidDate")
    warehouse_id: int | str | None = Field(default=None, alias="warehouseId")


class TrackEvent(ShipStationModel):
    occurred_at: str
    description: str = ""
    city_locality: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    status_code: str = ""
    status_detail_code: str = ""
    carrier_status_code: str = ""
    carrier_detail_code: str = ""


class TrackingInformation(ShipStationModel):
    """API v2 tracking (the ``data`` of a ``track`` webhook)."""

    tracking_number: str | int
    carrier_code: str | None = None
    status_code: str = ""
    status_detail_code: str = ""
    exception_description: str = ""
    events: Many[TrackEvent] = Field(default_factory=list)


class Webhook(ShipStationModel):
    resource_url: str = ""
    resource_type: str = ""
    data: dict[str, Any] | None = None
