"""The canonical journey event: one shape for every partner's report.

Every adapter maps its partner's payload to ``JourneyEvent``. The model is versioned
(``schema_version``); the JSON Schema generated from it is committed next to this file
(``journey_event.schema.json``) and a test fails when it is stale.
"""

from __future__ import annotations

import hashlib
import operator
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar, Literal, overload

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[1] = 1


class Vocabulary(StrEnum):
    """A closed set of names: the canonical model's enums."""


# ``member.value`` read in C: the serializer asks it of every enum field of every event,
# and ``Enum``'s own ``value`` costs two calls of Python.
setattr(Vocabulary, "value", property(operator.attrgetter("_value_")))  # noqa: B010


class Milestone(Vocabulary):
    """Where an order is on its path, aligned with karrio's tracking statuses and CBV bizSteps."""

    order_placed = "order_placed"
    order_confirmed = "order_confirmed"
    order_cancelled = "order_cancelled"
    released_to_warehouse = "released_to_warehouse"
    picked = "picked"
    packed = "packed"
    label_created = "label_created"
    handed_off = "handed_off"
    picked_up = "picked_up"
    in_transit = "in_transit"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    delivery_failed = "delivery_failed"
    ready_for_pickup = "ready_for_pickup"
    returned_to_sender = "returned_to_sender"
    return_received = "return_received"
    on_hold = "on_hold"
    delayed = "delayed"
    exception = "exception"
    unknown = "unknown"


class PartnerType(Vocabulary):
    marketplace = "marketplace"
    warehouse = "warehouse"
    carrier = "carrier"


class Ownership(Vocabulary):
    owned = "owned"
    partner = "partner"


class IdType(Vocabulary):
    """Typed correlation identifiers. Their order here is the stitching precedence."""

    order = "order"
    marketplace_order = "marketplace_order"
    fulfillment_order = "fulfillment_order"
    fulfillment = "fulfillment"
    shipment = "shipment"
    package = "package"
    sscc = "sscc"
    tracking_number = "tracking_number"
    purchase_order = "purchase_order"
    despatch_advice = "despatch_advice"
    line_item = "line_item"


#: Identifier types that are unique on their own, whoever reports them. Their key ignores
#: the issuer, so a carrier's tracking number matches the one a marketplace reports.
GLOBAL_ID_TYPES = frozenset({IdType.order, IdType.sscc, IdType.tracking_number})


class Responsible(Vocabulary):
    """Who an exception is attributed to, after karrio's incident reason prefixes."""

    carrier = "carrier"
    warehouse = "warehouse"
    retailer = "retailer"
    consignee = "consignee"
    customs = "customs"
    force_majeure = "force_majeure"
    unknown = "unknown"


class _Key:
    """``Identifier.key``, worked out on first use and kept on the identifier (asked several
    times per event: event id, stitching, SLA clocks). A ``cached_property`` without the
    lock Python 3.11 takes on each first use."""

    @overload
    def __get__(self, obj: None, owner: Any = None) -> _Key: ...
    @overload
    def __get__(self, obj: Identifier, owner: Any = None) -> str: ...
    def __get__(self, obj: Identifier | None, owner: Any = None) -> str | _Key:
        if obj is None:
            return self
        key: str = identifier_key(obj.type, obj.issuer, obj.value)
        obj.__dict__["key"] = key
        return key


class Identifier(BaseModel):
    """A partner's identifier for something in the journey, scoped by who issued it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: IdType
    value: str = Field(min_length=1, description="The identifier as the partner spells it.")
    issuer: str = Field(
        default="",
        description="Who issued it (partner id or carrier code); ignored for global types.",
    )

    #: The stitching key: equal keys denote the same real-world thing.
    key: ClassVar[_Key] = _Key()


@lru_cache(maxsize=65536)  # an identifier's key is asked for several times per event
def identifier_key(id_type: str, issuer: str, value: str) -> str:
    """``type:issuer:value``; global types drop the issuer and ignore case and spaces
    (partners write tracking numbers as ``1z82 7wk7`` or ``1Z827WK7``)."""
    if id_type in GLOBAL_ID_TYPES:
        return f"{id_type}::{value.replace(' ', '').upper()}"
    return f"{id_type}:{issuer}:{value}"


class IdentifierLink(BaseModel):
    """A declaration that two identifiers belong together (child -> parent)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    child: Identifier
    parent: Identifier


class ExceptionInfo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: str = Field(description="karrio incident reason, e.g. carrier_parcel_lost.")
    responsible: Responsible = Responsible.unknown
    description: str = ""


class Lineage(BaseModel):
    """Where the raw payload came from, so any event can be traced back to its bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str = ""
    partition: int = -1
    offset: int = -1
    partner_format: str = ""


class JourneyEvent(BaseModel):
    """One thing that happened to an order, as reported by one partner."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: str = Field(description="Deterministic: the same report always has the same id.")
    journey_id: str = Field(default="", description="Set by the stitcher.")
    milestone: Milestone
    raw_status: str = Field(default="", description="The partner's own status or step code.")
    description: str = ""
    occurred_at: AwareDatetime
    reported_at: AwareDatetime | None = None
    ingested_at: AwareDatetime
    partner_id: str
    partner_type: PartnerType
    node_id: str
    ownership: Ownership
    identifiers: tuple[Identifier, ...] = Field(min_length=1)
    links: tuple[IdentifierLink, ...] = ()
    exception: ExceptionInfo | None = None
    location: str = ""
    promised_by: AwareDatetime | None = Field(
        default=None, description="Delivery promised to the customer, when the partner says."
    )
    quality_flags: tuple[str, ...] = ()
    source: Lineage = Lineage()


def make_event_id(
    partner_id: str,
    milestone: Milestone,
    occurred_at: datetime,
    identifiers: tuple[Identifier, ...] | list[Identifier],
    raw_status: str = "",
    discriminator: str = "",
) -> str:
    """A stable id for a report: the same partner, moment, step and subjects give the same id.

    Lineage (topic/offset) is deliberately left out: a payload delivered twice is one event.
    ``discriminator`` separates reports that would otherwise collide (e.g. a partner's own
    event id, or an index within a document when the partner gives none).
    """
    keys = sorted(i.key for i in identifiers)
    material = "\x1f".join(
        [
            partner_id,
            milestone.value,
            occurred_at.astimezone(UTC).isoformat(),
            raw_status,
            discriminator,
            *keys,
        ]
    )
    return "evt_" + hashlib.sha256(material.encode()).hexdigest()[:32]
