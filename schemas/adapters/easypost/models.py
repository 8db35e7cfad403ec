"""EasyPost ``Tracker`` JSON (API answers and ``tracker.*`` webhook events), fields read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Blank, Many


class EasyPostModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class TrackingLocation(EasyPostModel):
    city: str | None = None
    state: str | None = None
    country: str | None = None
    zip: str | None = None


class TrackingDetail(EasyPostModel):
    message: str | None = None
    description: str | None = None
    status: str = ""
    status_detail: str | None = None
    datetime: str
    carrier_code: str | None = None
    tracking_location: Blank[TrackingLocation] = None


class Tracker(EasyPostModel):
    id: str | None = None
    tracking_code: str
    status: str = ""
    carrier: str | None = None
    tracking_details: Many[TrackingDetail] = Field(default_factory=list)


class ApiError(EasyPostModel):
    code: str = ""
    message: str = ""
