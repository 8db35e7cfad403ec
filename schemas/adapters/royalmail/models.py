"""Royal Mail Tracking API v2 (``mailpieces``) JSON, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class RoyalMailModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Event(RoyalMailModel):
    event_code: str = Field(default="", alias="eventCode")
    event_name: str = Field(default="", alias="eventName")
    event_date_time: str = Field(alias="eventDateTime")
    location_name: str | None = Field(default=None, alias="locationName")


class Summary(RoyalMailModel):
    one_d_barcode: str | None = Field(default=None, alias="oneDBarcode")
    last_event_code: str = Field(default="", alias="lastEventCode")
    last_event_name: str = Field(default="", alias="lastEventName")
    last_event_date_time: str | None = Field(default=None, alias="lastEventDateTime")
    last_event_location_name: str | None = Field(default=None, alias="lastEventLocationName")
    status_category: str = Field(default="", alias="statusCategory")


class MailPiece(RoyalMailModel):
    mail_piece_id: str | None = Field(default=None, alias="mailPieceId")
    summary: Summary | None = None
    events: Many[Event] = Field(default_factory=list)


class TrackingResponse(RoyalMailModel):
    mail_pieces: Many[MailPiece] = Field(default_factory=list, alias="mailPieces")


class Error(RoyalMailModel):
    error_code: str = Field(default="", alias="errorCode")
    error_description: str = Field(default="", alias="errorDescription")
    error_resolution: str = Field(default="", alias="errorResolution")
