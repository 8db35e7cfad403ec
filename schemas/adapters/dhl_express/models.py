"""DHL Express XML-PI ``TrackingResponse`` (and its error response), fields Seamscope reads.

The XML is read into plain data first (``common.xml_data``: element names without their
namespace, repeated elements as lists, empty elements as ``""``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Blank, Many


class DhlExpressModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Condition(DhlExpressModel):
    code: str | None = Field(default=None, alias="ConditionCode")
    data: str | None = Field(default=None, alias="ConditionData")


class Status(DhlExpressModel):
    action_status: str = Field(default="", alias="ActionStatus")
    conditions: Many[Condition] = Field(default_factory=list, alias="Condition")


class ServiceEvent(DhlExpressModel):
    event_code: str = Field(default="", alias="EventCode")
    description: str = Field(default="", alias="Description")


class ServiceArea(DhlExpressModel):
    code: str = Field(default="", alias="ServiceAreaCode")
    description: str = Field(default="", alias="Description")


class ShipmentEvent(DhlExpressModel):
    """One checkpoint: local ``Date`` and ``Time`` of the service area, no offset."""

    date: str = Field(alias="Date")
    time: str = Field(default="", alias="Time")
    service_event: Blank[ServiceEvent] = Field(default=None, alias="ServiceEvent")
    service_area: Blank[ServiceArea] = Field(default=None, alias="ServiceArea")
    signatory: str | None = Field(default=None, alias="Signatory")


class ShipmentInfo(DhlExpressModel):
    shipment_events: Many[ShipmentEvent] = Field(default_factory=list, alias="ShipmentEvent")


class AwbInfo(DhlExpressModel):
    awb_number: str | None = Field(default=None, alias="AWBNumber")
    status: Blank[Status] = Field(default=None, alias="Status")
    shipment_info: Blank[ShipmentInfo] = Field(default=None, alias="ShipmentInfo")


class ErrorResponseBody(DhlExpressModel):
    status: Blank[Status] = Field(default=None, alias="Status")


class TrackingResponse(DhlExpressModel):
    awb_info: Many[AwbInfo] = Field(default_factory=list, alias="AWBInfo")
    response: Blank[ErrorResponseBody] = Field(default=None, alias="Response")
