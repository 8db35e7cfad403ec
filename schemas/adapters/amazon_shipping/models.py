"""Amazon Shipping ``getTracking`` (Shipping API v2) JSON, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class AmazonShippingModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Location(AmazonShippingModel):
    city: str | None = None
    state_or_region: str | None = Field(default=None, alias="stateOrRegion")
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(default=None, alias="countryCode")


class TrackingEvent(AmazonShippingModel):
    """One scan: ``eventCode`` (``InTransit``, ``Delivered``, ...) on the FORWARD or RETURNS leg."""

    event_code: str = Field(alias="eventCode")
    location: Location | None = None
    event_time: str = Field(alias="eventTime")
    shipment_type: str = Field(default="FORWARD", alias="shipmentType")


class DetailCodes(AmazonShippingModel):
    forward: Many[str] = Field(default_factory=list)
    returns: Many[str] = Field(default_factory=list)


class Summary(AmazonShippingModel):
    status: str = ""
    tracking_detail_codes: DetailCodes | None = Field(default=None, alias="trackingDetailCodes")


class AmazonShippingTracking(AmazonShippingModel):
    tracking_id: str = Field(alias="trackingId")
    alternate_leg_tracking_id: str | None = Field(default=None, alias="alternateLegTrackingId")
    event_history: Many[TrackingEvent] = Field(default_factory=list, alias="eventHistory")
    summary: Summary | None = None


class ApiError(AmazonShippingModel):
    code: str = ""
    message: str = ""
    details: str = ""
