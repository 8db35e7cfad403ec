"""UPS Track API (``/api/track/v1/details``) JSON, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class UpsModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Message(UpsModel):
    """A warning or error: ``{"code": "TW0001", "message": "Tracking Information Not Found"}``."""

    code: str = ""
    message: str = ""


class Address(UpsModel):
    city: str | None = None
    state_province: str | None = Field(default=None, alias="stateProvince")
    postal_code: str | None = Field(default=None, alias="postalCode")
    country_code: str | None = Field(default=None, alias="countryCode")
    country: str | None = None


class ActivityLocation(UpsModel):
    address: Address | None = None
    slic: str | None = None


class Status(UpsModel):
    """``type`` is the broad class (D, I, M, P, X, ...), ``code`` the scan code."""

    type: str = ""
    code: str = ""
    description: str = ""
    status_code: str = Field(default="", alias="statusCode")


class Activity(UpsModel):
    """One scan. ``date``/``time`` are local (YYYYMMDD, HHMMSS); ``gmt*`` when UPS adds them."""

    date: str
    time: str = ""
    gmt_date: str | None = Field(default=None, alias="gmtDate")
    gmt_time: str | None = Field(default=None, alias="gmtTime")
    gmt_offset: str | None = Field(default=None, alias="gmtOffset")
    location: ActivityLocation | None = None
    status: Status


class Package(UpsModel):
    tracking_number: str | None = Field(default=None, alias="trackingNumber")
    activity: list[Activity] = Field(default_factory=list)


class Shipment(UpsModel):
    inquiry_number: str | None = Field(default=None, alias="inquiryNumber")
    package: list[Package] = Field(default_factory=list)
    warnings: list[Message] = Field(default_factory=list)


class TrackResponse(UpsModel):
    shipment: list[Shipment] = Field(default_factory=list)


class ErrorResponse(UpsModel):
    errors: list[Message] = Field(default_factory=list)


class UpsTrackingDocument(UpsModel):
    """Either a ``trackResponse`` or an error ``response``."""

    track_response: TrackResponse | None = Field(default=None, alias="trackResponse")
    response: ErrorResponse | None = None
