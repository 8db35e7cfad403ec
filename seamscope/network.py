"""The network config (``seamscope.yaml``): partners, their formats, nodes and ownership.

Which partner sent a payload, in which format, for which node, and whether that node is
owned or a partner's, comes from here, never from the payload. Loading validates the whole
file and reports every problem at once.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from schemas.adapters.base import PartnerContext
from schemas.canonical import Milestone, Ownership, PartnerType
from streams.calendar import DAYS, Calendar, parse_duration
from streams.topics import raw_topic

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


class NetworkConfigError(ValueError):
    """The network config is unusable; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s):\n{lines}")


class NodeCalendar(BaseModel):
    """When a node works; the time zone is the node's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cutoff: str | None = None
    business_days: tuple[str, ...] = DAYS
    hours: str | None = None
    holidays: tuple[date, ...] = ()


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    type: PartnerType = Field(description="What the node does: marketplace, warehouse, carrier.")
    ownership: Ownership
    name: str = ""
    timezone: str = "UTC"
    calendar: NodeCalendar | None = Field(
        default=None, description="Cut-off, business days and hours, holidays (local time)."
    )

    @model_validator(mode="after")
    def _valid_calendar(self) -> Node:
        self.work_calendar  # noqa: B018 - validates zone, cut-off and hours
        return self

    @property
    def work_calendar(self) -> Calendar:
        fields = self.calendar.model_dump() if self.calendar else {}
        return Calendar(timezone=self.timezone, **fields)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class SlaStage(BaseModel):
    """A clock: starts when ``start`` is reached, stops at any of ``end``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    start: Milestone
    end: tuple[Milestone, ...] = Field(min_length=1)
    holder: PartnerType = Field(description="The kind of node that holds the order meanwhile.")
    within: Duration = Field(description="The default for every node of that kind.")
    working_time: bool = Field(
        default=True, description="Count the holder node's working time (cut-off, hours)."
    )
    promise: bool = Field(
        default=False, description="Use the marketplace's promised date when it gave one."
    )


class SlaOverride(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: str
    partner: str | None = None
    node: str | None = None
    within: Duration


class Sla(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stages: tuple[SlaStage, ...] = ()
    overrides: tuple[SlaOverride, ...] = ()
    silence: Duration = Field(
        default=timedelta(hours=2),
        description="A partner holding open journeys that sends nothing this long is silent.",
    )
    silence_overrides: dict[str, Duration] = {}
    rollup: int = Field(
        default=10, ge=2, description="Breaches of one partner, node and stage that make one "
        "incident instead of separate pages.",
    )  # fmt: skip
    group_wait: Duration = Field(
        default=timedelta(seconds=30), description="How long breaches wait to be grouped."
    )
    escalate_after: Duration = Field(
        default=timedelta(hours=4), description="An alert still open this long escalates."
    )

    def within(self, stage: SlaStage, partner: str | None, node: str | None) -> timedelta:
        """The stage's limit for this holder: partner override, else node, else default."""
        best = stage.within
        for o in self.overrides:
            if o.stage != stage.id:
                continue
            if o.partner and o.partner == partner:
                return o.within
            if o.node and o.node == node and not o.partner:
                best = o.within
        return best


class Partner(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Also names the raw topic: seamscope.raw.<id>.")
    type: PartnerType
    format: str = Field(description="The partner format adapter, see `normalize --list-formats`.")
    node: str
    name: str = ""
    carrier: str = Field(default="", description="Carrier code for carriers (issuer of IDs).")


class Network(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "network"
    nodes: tuple[Node, ...]
    partners: tuple[Partner, ...]
    sla: Sla = Sla()

    @model_validator(mode="after")
    def _consistent(self) -> Network:
        from schemas.adapters import FORMATS

        problems: list[str] = []
        for kind, items in (("node", self.nodes), ("partner", self.partners)):
            seen: set[str] = set()
            for item in items:
                if not _ID.match(item.id):
                    problems.append(
                        f"{kind} id {item.id!r} must be lowercase letters, digits, '.', '_' "
                        "or '-' (it names Kafka topics)"
                    )
                if item.id in seen:
                    problems.append(f"{kind} id {item.id!r} is defined twice")
                seen.add(item.id)
        nodes = {n.id: n for n in self.nodes}
        for p in self.partners:
            node = nodes.get(p.node)
            if node is None:
                problems.append(
                    f"partner {p.id!r} names node {p.node!r}, which is not defined "
                    f"(nodes: {', '.join(sorted(nodes)) or 'none'})"
                )
            elif node.type != p.type:
                problems.append(
                    f"partner {p.id!r} is a {p.type.value} but its node {p.node!r} "
                    f"is a {node.type.value}"
                )
            if p.format not in FORMATS:
                problems.append(
                    f"partner {p.id!r} has unknown format {p.format!r} "
                    f"(known: {', '.join(sorted(FORMATS))})"
                )
        if not self.partners:
            problems.append("no partners are defined")
        problems.extend(self._sla_problems(nodes))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _sla_problems(self, nodes: dict[str, Node]) -> list[str]:
        problems = []
        stages = [s.id for s in self.sla.stages]
        for s in sorted({s for s in stages if stages.count(s) > 1}):
            problems.append(f"sla stage {s!r} is defined twice")
        partners = {p.id for p in self.partners}
        for o in self.sla.overrides:
            if o.stage not in stages:
                problems.append(
                    f"sla override names stage {o.stage!r}, which is not defined "
                    f"(stages: {', '.join(stages) or 'none'})"
                )
            if o.partner and o.partner not in partners:
                problems.append(f"sla override names partner {o.partner!r}, which is not defined")
            if o.node and o.node not in nodes:
                problems.append(f"sla override names node {o.node!r}, which is not defined")
            if not o.partner and not o.node:
                problems.append(f"sla override for stage {o.stage!r} names no partner or node")
        for p in self.sla.silence_overrides:
            if p not in partners:
                problems.append(f"sla silence override names partner {p!r}, which is not defined")
        return problems

    @cached_property
    def nodes_by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def contexts(self) -> dict[str, PartnerContext]:
        """Partner contexts by raw topic name."""
        nodes = {n.id: n for n in self.nodes}
        return {
            raw_topic(p.id): PartnerContext(
                partner_id=p.id,
                partner_type=p.type,
                node_id=p.node,
                ownership=nodes[p.node].ownership,
                partner_format=p.format,
                carrier=p.carrier,
            )
            for p in self.partners
        }

    @property
    def raw_topics(self) -> list[str]:
        return [raw_topic(p.id) for p in self.partners]

    def partner(self, partner_id: str) -> Partner:
        for p in self.partners:
            if p.id == partner_id:
                return p
        raise KeyError(f"no partner {partner_id!r} in network {self.name!r}")


def load_network(path: Path) -> Network:
    """Read and validate a network config; raise NetworkConfigError listing every problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NetworkConfigError(source, [f"cannot read the file: {exc.strerror}"]) from exc
    return parse_network(text, source)


def parse_network(text: str, source: str = "<config>") -> Network:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NetworkConfigError(source, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise NetworkConfigError(source, ["expected a mapping with 'nodes' and 'partners'"])
    try:
        return Network.model_validate(data)
    except ValidationError as exc:
        problems: list[str] = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            problems.extend(f"{loc}: {m}" if loc else m for m in msg.split("; "))
        raise NetworkConfigError(source, problems) from exc
