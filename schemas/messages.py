"""The other records on Seamscope's topics: dead letters and journey aliases."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class DeadLetter(BaseModel):
    """A payload that did not become canonical events, kept whole with the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dead_letter_id: str
    partner_id: str
    partner_format: str
    source_topic: str
    source_partition: int
    source_offset: int
    reason: str = Field(description="What is wrong, in words a person can act on.")
    error_kind: str = Field(description="invalid_payload | unknown_topic | adapter_error")
    raw_b64: str = Field(description="The raw payload bytes, base64.")
    headers: dict[str, str] = {}
    failed_at: AwareDatetime

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.raw_b64)

    @staticmethod
    def make_id(topic: str, partition: int, offset: int) -> str:
        return "dlq_" + hashlib.sha256(f"{topic}:{partition}:{offset}".encode()).hexdigest()[:24]

    @classmethod
    def from_raw(
        cls,
        *,
        raw: bytes,
        headers: dict[str, str],
        topic: str,
        partition: int,
        offset: int,
        partner_id: str,
        partner_format: str,
        reason: str,
        error_kind: str,
        failed_at: datetime,
    ) -> DeadLetter:
        return cls(
            dead_letter_id=cls.make_id(topic, partition, offset),
            partner_id=partner_id,
            partner_format=partner_format,
            source_topic=topic,
            source_partition=partition,
            source_offset=offset,
            reason=reason,
            error_kind=error_kind,
            raw_b64=base64.b64encode(raw).decode(),
            headers=headers,
            failed_at=failed_at,
        )


class DeadLetterReplay(BaseModel):
    """The outcome of re-processing a dead letter after a mapping or config fix."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["replay"] = "replay"
    dead_letter_id: str
    partner_id: str
    outcome: Literal["succeeded", "still_failing", "skipped"]
    events: int = Field(description="Canonical events the payload yields now.")
    reason: str = Field(default="", description="Why it still fails, or was skipped.")
    republished_to: str = Field(default="", description="The raw topic it was sent to again.")
    replayed_at: AwareDatetime


class JourneyMember(BaseModel):
    """Identifier ``id_key`` belongs to journey ``journey_id`` (learned from a link)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["member"] = "member"
    journey_id: str
    id_key: str
    updated_at: AwareDatetime


class SharedEvent(BaseModel):
    """What the SLA clocks read of an event, for the workers that did not stitch it (each
    files it under its journeys through its own identity graph)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    milestone: str
    occurred_at: AwareDatetime
    ingested_at: AwareDatetime
    partner_id: str
    partner_type: str
    node_id: str
    ownership: str = ""
    promised_by: AwareDatetime | None = None
    #: Each identifier's type and issuer (a carrier's tracking number names the carrier).
    issuers: list[tuple[str, str]] = []
    quality_flags: list[str] = []


class IdentityKeys(BaseModel):
    """What one event says about identity: its identifier keys and declared links (read
    so, an ``IdentityFact`` skips its event unread)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    keys: list[str]
    links: list[tuple[str, str]] = []


class IdentityFact(IdentityKeys):
    """What one event says about identity, and what the SLA clocks read of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: SharedEvent | None = None


class IdentityGraphFacts(BaseModel):
    """What one batch of events says about identity, as a worker rebuilding its graph
    reads it: the events' own fields skipped unread (a quarter of the cost)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    facts: list[IdentityKeys] = []
    retire: list[str] = Field(default=[], description="Finished journeys to forget.")
    origin: str = Field(description="The worker instance that published it.")


class IdentityFacts(IdentityGraphFacts):
    """What one batch of events says about identity, shared with every worker's identity
    graph and SLA clocks (one record per batch: the graph folds them in any order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    facts: list[IdentityFact] = []  # type: ignore[assignment]


class JourneyAlias(BaseModel):
    """Journey ``alias_id`` is now part of ``journey_id`` (a late link merged them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["alias"] = "alias"
    alias_id: str
    journey_id: str
    version: int = Field(description="Higher wins when an alias is re-pointed.")
    updated_at: AwareDatetime
