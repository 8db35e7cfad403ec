"""USPS Tracking API v3 JSON, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class UspsModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class TrackingEvent(UspsModel):
    """One scan: local ``eventTimestamp``; ``GMTTimestamp`` and ``GMTOffset`` when USPS has them."""

    event_type: str = Field(default="", alias="eventType")
    event_code: str = Field(default="", alias="eventCode")
    event_timestamp: str | None = Field(default=None, alias="eventTimestamp")
    gmt_timestamp: str | None = Field(default=None, alias="GMTTimestamp")
    gmt_offset: str | None = Field(default=None, alias="GMTOffset")
    event_city: str | None = Field(default=None, alias="eventCity")
    event_state: str | None = Field(default=None, alias="eventState")
    event_zip: str | None = Field(default=None, alias="eventZIP")
    event_country: str | None = Field(default=None, alias="eventCountry")


class UspsTracking(UspsModel):
    tracking_number: str | None = Field(default=None, alias="trackingNumber")
    status_category: str = Field(default="", alias="statusCategory")
    tracking_events: Many[TrackingEvent] = Field(default_factory=list, alias="trackingEvents")


class ErrorDetail(UspsModel):
    code: str | None = None
    title: str | None = None
    detail: str | None = None


class ApiError(UspsModel):
    code: str | None = None
    message: str | None = None
    errors: Many[ErrorDetail] = Field(default_factory=list)
