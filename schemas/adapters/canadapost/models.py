"""Canada Post "Get Tracking Details" XML (``tracking-detail``), fields Seamscope reads.

The XML is read into plain data first (``common.xml_data``); element names keep their
hyphens, so fields use aliases.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Blank, Many


class CanadaPostModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Occurrence(CanadaPostModel):
    """One scan: local date and time with a zone abbreviation (``EST``, ``PDT``, ...)."""

    identifier: str = Field(default="", alias="event-identifier")
    date: str = Field(alias="event-date")
    time: str = Field(default="", alias="event-time")
    time_zone: str = Field(default="", alias="event-time-zone")
    description: str = Field(default="", alias="event-description")
    site: str = Field(default="", alias="event-site")
    province: str = Field(default="", alias="event-province")


class SignificantEvents(CanadaPostModel):
    occurrences: Many[Occurrence] = Field(default_factory=list, alias="occurrence")


class TrackingDetail(CanadaPostModel):
    pin: str | None = None
    customer_ref_1: str | None = Field(default=None, alias="customer-ref-1")
    significant_events: Blank[SignificantEvents] = Field(default=None, alias="significant-events")


class Message(CanadaPostModel):
    code: str = ""
    description: str = ""


class Messages(CanadaPostModel):
    messages: Many[Message] = Field(default_factory=list, alias="message")
