"""A journey's SLA clocks for its page: each stage's start, deadline, end and verdict.

Deadlines come from where the worker decided them: the ``alerts`` table when the stage
breached (the deadline the worker's engine passed), else the same engine
(``streams.sla.SlaEngine``: node calendars, per-partner overrides, the marketplace's
promised date) replaying the journey's events, so the page never keeps rules of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from seamscope.network import Network
from sinks.queries import as_utc
from sinks.store import Store
from streams.sla import Observation, SlaEngine


@dataclass(frozen=True)
class StageClock:
    stage: str
    holder: str  # the kind of node that holds the order meanwhile (its lane)
    started_at: datetime
    deadline: datetime | None
    ended_at: datetime | None
    verdict: str  # met | missed | overdue | running | cancelled | resolved (a silence)
    source: str  # alert | engine
    alert_status: str = ""  # open | escalated | resolved (when a breach was raised)
    held_by: str = ""  # the partner the breach names


def journey_alerts(store: Store, journey_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The SLA breaches and silent holds raised for these journey ids (a journey and its
    aliases), the newest state of each."""
    return store.rows(
        "SELECT alert_id, kind, status, rule, stage_start, partner_id, node_id, journey_id, since, "
        "deadline, opened_at, resolved_at FROM alerts FINAL "
        "WHERE kind IN ('sla_breach', 'silent_hold') AND journey_id IN {ids:Array(String)} "
        "ORDER BY opened_at, alert_id",
        {"ids": sorted(set(journey_ids))},
    )


def promises(store: Store, event_ids: Sequence[str]) -> dict[str, datetime]:
    """event id -> the delivery date it promised, for the events that promise one."""
    rows = store.rows(
        "SELECT event_id, any(JSONExtractString(payload, 'promised_by')) AS promised_by "
        "FROM journey_events WHERE event_id IN {ids:Array(String)} "
        "AND JSONExtractString(payload, 'promised_by') != '' GROUP BY event_id",
        {"ids": sorted(set(event_ids))},
    )
    return {r["event_id"]: as_utc(r["promised_by"]) for r in rows}


def _engine_deadlines(
    network: Network,
    journey_id: str,
    events: Sequence[dict[str, Any]],
    promised: dict[str, datetime],
) -> dict[str, datetime]:
    """stage id -> deadline, as the worker's engine computes it from these events."""
    # A tracking number's issuer -> its carrier, as the worker's SLA service maps them.
    carrier_partners = [p for p in network.partners if p.type.value == "carrier"]
    carriers = {p.carrier: (p.id, p.node) for p in reversed(carrier_partners) if p.carrier}
    carriers.update({p.id: (p.id, p.node) for p in carrier_partners})
    engine = SlaEngine(network)
    engine.replaying = True  # set the clocks, raise nothing
    ordered = sorted(events, key=lambda e: (as_utc(e["occurred_at"]), e["event_id"]))
    for e in ordered:
        at = as_utc(e["occurred_at"])
        issuers = [k.split(":", 2)[1] for k in e["identifiers"] if k.startswith("tracking_number:")]
        carrier = next((carriers[i] for i in issuers if i in carriers), None)
        obs = Observation(
            journeys=(journey_id,),
            milestone=str(e["milestone"]),
            occurred_at=at,
            partner_id=str(e["partner_id"]),
            partner_type=str(e["partner_type"]),
            node_id=str(e["node_id"]),
            promised_by=promised.get(e["event_id"]),
            heard_at=at,
            carrier=carrier,
        )
        engine.observe(obs, at)
    return engine.deadlines(journey_id)


def journey_clocks(
    network: Network | None,
    journey_id: str,
    events: Sequence[dict[str, Any]],
    alerts: Sequence[dict[str, Any]],
    promised: dict[str, datetime],
    now: datetime,
) -> list[StageClock]:
    """Every SLA stage the journey has started, in the order of the config, then every
    hold by a silent partner (stage ``silence``: from when the partner was last heard,
    due when its silence became an alert). Without the network config only the stages
    that breached are known, and their end is not."""
    first: dict[str, datetime] = {}
    for e in events:
        at = as_utc(e["occurred_at"])
        m = str(e["milestone"])
        first[m] = min(first.get(m, at), at)
    breach: dict[str, dict[str, Any]] = {}
    for a in alerts:
        if a["kind"] == "sla_breach" and a["deadline"] is not None:
            known = breach.get(a["rule"])
            if known is None or as_utc(a["deadline"]) < as_utc(known["deadline"]):
                breach[a["rule"]] = a
    cancelled = "order_cancelled" in first
    stages: list[tuple[str, str, str, tuple[str, ...]]]
    computed: dict[str, datetime] = {}
    if network is None:
        stages = [(rule, "", str(a["stage_start"]), ()) for rule, a in breach.items()]
    else:
        stages = [
            (s.id, s.holder.value, s.start.value, tuple(m.value for m in s.end))
            for s in network.sla.stages
        ]
        computed = _engine_deadlines(network, journey_id, events, promised)
    clocks = []
    for stage_id, holder, start, ends in stages:
        alert = breach.get(stage_id)
        started = first.get(start) or (as_utc(alert["since"]) if alert and alert["since"] else None)
        if started is None:
            continue
        ended_at = min((first[m] for m in ends if m in first), default=None)
        deadline = as_utc(alert["deadline"]) if alert else computed.get(stage_id)
        if network is None and alert:
            verdict = "missed" if alert["status"] == "resolved" else "overdue"
        elif ended_at is not None:
            verdict = "missed" if deadline is not None and ended_at > deadline else "met"
        elif cancelled:
            verdict = "cancelled"
        elif deadline is not None and now > deadline:
            verdict = "overdue"
        else:
            verdict = "running"
        clocks.append(
            StageClock(
                stage=stage_id,
                holder=holder,
                started_at=started,
                deadline=deadline,
                ended_at=ended_at,
                verdict=verdict,
                source="alert" if alert else "engine",
                alert_status=str(alert["status"]) if alert else "",
                held_by=str(alert["partner_id"]) if alert else "",
            )
        )
    kinds = {str(e["partner_id"]): str(e["partner_type"]) for e in events}
    for a in alerts:
        if a["kind"] != "silent_hold" or a["since"] is None:
            continue
        resolved = a["status"] == "resolved"
        clocks.append(
            StageClock(
                stage="silence",
                holder=kinds.get(str(a["partner_id"]), ""),
                started_at=as_utc(a["since"]),
                deadline=as_utc(a["deadline"]) if a["deadline"] is not None else None,
                ended_at=as_utc(a["resolved_at"]) if resolved and a["resolved_at"] else None,
                verdict="resolved" if resolved else "overdue",
                source="alert",
                alert_status=str(a["status"]),
                held_by=str(a["partner_id"]),
            )
        )
    return clocks
