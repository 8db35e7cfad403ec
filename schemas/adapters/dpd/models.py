"""DPD ParcelLifeCycle ``getTrackingData`` SOAP answer, only the fields Seamscope reads.

Texts come wrapped for display (``<label><content>In transit</content>...</label>``);
``Text`` reads such a wrapper or a plain string.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.adapters.common import Many


class DpdModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def text_of(value: Any) -> str:
    """``{"content": "x"}`` / ``{"content": {"content": "x"}}`` / lists of them -> ``"x"``."""
    if isinstance(value, list):
        return " ".join(t for t in (text_of(v) for v in value) if t)
    if isinstance(value, dict):
        return text_of(value.get("content", value.get("#text", "")))
    return value.strip() if isinstance(value, str) else ""


class StatusInfo(DpdModel):
    """One step of the parcel's life cycle; only reached steps have happened."""

    status: str = ""
    label: str = ""
    description: str = ""
    location: str = ""
    date: str = ""
    status_has_been_reached: bool = Field(default=False, alias="statusHasBeenReached")

    @field_validator("label", "description", "location", "date", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return text_of(value)


class ShipmentInfo(DpdModel):
    parcel_label_number: str | None = Field(default=None, alias="parcelLabelNumber")


class TrackingResult(DpdModel):
    shipment_info: ShipmentInfo | None = Field(default=None, alias="shipmentInfo")
    status_info: Many[StatusInfo] = Field(default_factory=list, alias="statusInfo")


class TrackingDataResponse(DpdModel):
    tracking_result: TrackingResult = Field(alias="trackingresult")
