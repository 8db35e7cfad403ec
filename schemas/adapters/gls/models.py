"""GLS Track & Trace (ShipIT tracking) JSON, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class GlsModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Event(GlsModel):
    """One scan: ``code`` like ``INTRANSIT.NORMAL`` (status, then detail)."""

    code: str = ""
    city: str | None = None
    postal_code: str | None = Field(default=None, alias="postalCode")
    country: str | None = None
    description: str = ""
    event_date_time: str = Field(alias="eventDateTime")


class Parcel(GlsModel):
    requested: str | None = None
    unitno: str | None = None
    status: str = ""
    status_date_time: str | None = Field(default=None, alias="statusDateTime")
    events: Many[Event] = Field(default_factory=list)
    error_code: str | None = Field(default=None, alias="errorCode")
    error_message: str | None = Field(default=None, alias="errorMessage")


class TrackingResponse(GlsModel):
    parcels: Many[Parcel] = Field(default_factory=list)
