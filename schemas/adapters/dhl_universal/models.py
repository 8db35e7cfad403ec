"""DHL Shipment Tracking - Unified API JSON, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class DhlModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Address(DhlModel):
    address_locality: str | None = Field(default=None, alias="addressLocality")
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(default=None, alias="countryCode")


class Location(DhlModel):
    address: Address | None = None


class Event(DhlModel):
    """One status: ``statusCode`` is DHL's normalized code, ``status`` its wording."""

    timestamp: str
    location: Location | None = None
    status_code: str = Field(default="", alias="statusCode")
    status: str = ""
    description: str = ""
    remark: str = ""


class Shipment(DhlModel):
    id: str | int
    service: str = ""
    status: Event | None = None
    events: Many[Event] = Field(default_factory=list)


class TrackingResponse(DhlModel):
    shipments: Many[Shipment] = Field(default_factory=list)
