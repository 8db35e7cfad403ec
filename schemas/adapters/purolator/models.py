"""Purolator ``TrackPackagesByPin`` SOAP answer, only the fields Seamscope reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Blank, Many


class PurolatorModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Pin(PurolatorModel):
    value: str | None = Field(default=None, alias="Value")


class Depot(PurolatorModel):
    name: str | None = Field(default=None, alias="Name")


class Scan(PurolatorModel):
    """One scan: ``ScanDate`` (YYYY-MM-DD) and ``ScanTime`` (HHMMSS), depot-local, no zone."""

    scan_type: str = Field(default="", alias="ScanType")
    pin: Blank[Pin] = Field(default=None, alias="PIN")
    depot: Blank[Depot] = Field(default=None, alias="Depot")
    scan_date: str = Field(alias="ScanDate")
    scan_time: str = Field(default="", alias="ScanTime")
    description: str = Field(default="", alias="Description")
    comment: str = Field(default="", alias="Comment")


class Scans(PurolatorModel):
    scans: Many[Scan] = Field(default_factory=list, alias="Scan")


class TrackingInformation(PurolatorModel):
    pin: Blank[Pin] = Field(default=None, alias="PIN")
    scans: Blank[Scans] = Field(default=None, alias="Scans")


class TrackingInformationList(PurolatorModel):
    items: Many[TrackingInformation] = Field(default_factory=list, alias="TrackingInformation")


class Error(PurolatorModel):
    code: str = Field(default="", alias="Code")
    description: str = Field(default="", alias="Description")
    additional_information: str = Field(default="", alias="AdditionalInformation")


class Errors(PurolatorModel):
    errors: Many[Error] = Field(default_factory=list, alias="Error")


class ResponseInformation(PurolatorModel):
    errors: Blank[Errors] = Field(default=None, alias="Errors")


class TrackPackagesByPinResponse(PurolatorModel):
    response_information: Blank[ResponseInformation] = Field(
        default=None, alias="ResponseInformation"
    )
    tracking_information_list: Blank[TrackingInformationList] = Field(
        default=None, alias="TrackingInformationList"
    )
