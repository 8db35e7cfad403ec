"""FedEx Track API (``/track/v1/trackingnumbers``) JSON, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FedexModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Message(FedexModel):
    """An error: ``{"code": "TRACKING.TRACKINGNUMBER.NOTFOUND", "message": "..."}``."""

    code: str = ""
    message: str = ""


class Address(FedexModel):
    city: str | None = None
    state_or_province_code: str | None = Field(default=None, alias="stateOrProvinceCode")
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(default=None, alias="countryCode")


class ScanEvent(FedexModel):
    """One scan. ``date`` is ISO 8601, normally with the scan location's offset."""

    date: str
    event_type: str = Field(default="", alias="eventType")
    event_description: str = Field(default="", alias="eventDescription")
    exception_code: str = Field(default="", alias="exceptionCode")
    exception_description: str = Field(default="", alias="exceptionDescription")
    scan_location: Address | None = Field(default=None, alias="scanLocation")
    location_id: str | None = Field(default=None, alias="locationId")
    derived_status_code: str = Field(default="", alias="derivedStatusCode")


class TrackingNumberInfo(FedexModel):
    tracking_number: str | None = Field(default=None, alias="trackingNumber")
    tracking_number_unique_id: str | None = Field(default=None, alias="trackingNumberUniqueId")
    carrier_code: str | None = Field(default=None, alias="carrierCode")


class TrackResult(FedexModel):
    tracking_number_info: TrackingNumberInfo | None = Field(
        default=None, alias="trackingNumberInfo"
    )
    scan_events: list[ScanEvent] = Field(default_factory=list, alias="scanEvents")
    error: Message | None = None


class CompleteTrackResult(FedexModel):
    tracking_number: str | None = Field(default=None, alias="trackingNumber")
    track_results: list[TrackResult] = Field(default_factory=list, alias="trackResults")


class Output(FedexModel):
    complete_track_results: list[CompleteTrackResult] = Field(
        default_factory=list, alias="completeTrackResults"
    )


class FedexTrackingDocument(FedexModel):
    """A Track API answer: ``output`` with results, or top-level ``errors``."""

    output: Output | None = None
    errors: list[Message] = Field(default_factory=list)
