"""ShipBob webhook bodies and API resources (2026-01), only the fields Seamscope reads.

Webhooks come in two shapes: the dated (2026) ones carry ``event_time``, ``order_id``,
``reference_id``, ``status`` and ``tracking``; older ones (and the API) carry the whole
shipment. Both read into ``Shipment``.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class ShipBobModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Tracking(ShipBobModel):
    carrier: str | None = None
    carrier_service: str | None = None
    tracking_number: str | int | None = Field(
        default=None, validation_alias=AliasChoices("tracking_number", "tracking_id")
    )
    shipping_date: str | None = None


class Carton(ShipBobModel):
    barcode: str | None = None
    type: str | None = None


class ParentCarton(ShipBobModel):
    barcode: str | None = None
    cartons: Many[Carton] = Field(default_factory=list)


class StatusDetail(ShipBobModel):
    name: str | None = None
    description: str | None = None


class Location(ShipBobModel):
    id: int | str | None = None
    name: str | None = None


class Shipment(ShipBobModel):
    id: int | str | None = None
    shipment_id: int | str | None = None
    order_id: int | str | None = None
    reference_id: str | int | None = None
    order_number: str | int | None = None
    status: str | None = None
    event_time: str | None = None
    created_date: str | None = None
    actual_fulfillment_date: str | None = None
    delivery_date: str | None = None
    last_update_at: str | None = None
    tracking: Tracking | None = None
    parent_cartons: Many[ParentCarton] = Field(default_factory=list)
    status_details: Many[StatusDetail] = Field(default_factory=list)
    location: Location | None = None


class Order(ShipBobModel):
    id: int | str | None = None
    order_number: str | int | None = None
    reference_id: str | int | None = None
    created_date: str | None = None
    purchase_date: str | None = None
    status: str | None = None
    shipments: Many[dict[str, Any]] = Field(default_factory=list)


class TrackingEvent(ShipBobModel):
    status: str = ""
    substatus: str = ""
    timestamp: str
    location: str = ""
    message: str = ""
    carrier_message: str = ""


class TrackingHistory(ShipBobModel):
    """``GET /tracking``: one shipment's carrier tracking, with its history."""

    carrier: str | None = None
    tracking_number: str | int | None = Field(
        default=None, validation_alias=AliasChoices("carrier_tracking_number", "tracking_id")
    )
    shipment_id: int | str | None = None
    history: Many[TrackingEvent] = Field(default_factory=list)


class TimelineEntry(ShipBobModel):
    """``GET /order/{id}/shipment/{id}/timeline`` (or ``/logs``): one logged step."""

    log_type_id: int | str | None = None
    log_type_name: str | None = None
    log_type_text: str | None = None
    timestamp: str
