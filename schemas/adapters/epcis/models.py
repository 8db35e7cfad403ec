"""EPCIS 2.0 JSON-LD capture documents and events, only the fields Seamscope reads.

Field names follow the standard's JSON binding (``eventID``, ``bizStep``, ...) through
aliases, so the models read exactly what an EPCIS 2.0 repository or WMS sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class EpcisModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class BizTransaction(EpcisModel):
    type: str = ""
    biz_transaction: str = Field(alias="bizTransaction")


class Place(EpcisModel):
    """``readPoint`` / ``bizLocation``: an SGLN URN or Digital Link URI."""

    id: str

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, data: Any) -> Any:
        """Pre-2.0 JSON writes the location as a bare string."""
        return {"id": data} if isinstance(data, str) else data


class ErrorDeclaration(EpcisModel):
    declaration_time: AwareDatetime | None = Field(default=None, alias="declarationTime")
    reason: str | None = None
    corrective_event_ids: list[str] = Field(default_factory=list, alias="correctiveEventIDs")


class EpcisEvent(EpcisModel):
    """One ObjectEvent, AggregationEvent, TransactionEvent (or other) EPCIS event."""

    #: ``isA`` in the pre-2.0 JSON binding.
    type: str = Field(validation_alias=AliasChoices("type", "isA"))
    event_id: str | None = Field(default=None, alias="eventID")
    #: May be written without an offset; ``eventTimeZoneOffset`` then says which applies.
    event_time: datetime = Field(alias="eventTime")
    event_time_zone_offset: str | None = Field(default=None, alias="eventTimeZoneOffset")
    record_time: datetime | None = Field(default=None, alias="recordTime")
    action: str | None = None
    biz_step: str | None = Field(default=None, alias="bizStep")
    disposition: str | None = None
    epc_list: list[str] = Field(default_factory=list, alias="epcList")
    parent_id: str | None = Field(default=None, alias="parentID")
    child_epcs: list[str] = Field(default_factory=list, alias="childEPCs")
    biz_transaction_list: list[BizTransaction] = Field(
        default_factory=list, alias="bizTransactionList"
    )
    read_point: Place | None = Field(default=None, alias="readPoint")
    biz_location: Place | None = Field(default=None, alias="bizLocation")
    error_declaration: ErrorDeclaration | None = Field(default=None, alias="errorDeclaration")


class ResultsBody(EpcisModel):
    event_list: list[Any] = Field(default_factory=list, alias="eventList")


class QueryResults(EpcisModel):
    results_body: ResultsBody = Field(alias="resultsBody")


class EpcisBody(EpcisModel):
    """``eventList`` items are validated one by one, so one bad event spoils only itself."""

    event_list: list[Any] | None = Field(default=None, alias="eventList")
    query_results: QueryResults | None = Field(default=None, alias="queryResults")


class EpcisDocument(EpcisModel):
    """``EPCISDocument`` (capture) or ``EPCISQueryDocument`` (query results)."""

    type: str = Field(default="EPCISDocument", validation_alias=AliasChoices("type", "isA"))
    schema_version: str | float | None = Field(default=None, alias="schemaVersion")
    creation_date: datetime | None = Field(default=None, alias="creationDate")
    epcis_body: EpcisBody = Field(alias="epcisBody")

    @property
    def events(self) -> list[Any]:
        body = self.epcis_body
        if body.event_list is not None:
            return body.event_list
        return body.query_results.results_body.event_list if body.query_results else []
