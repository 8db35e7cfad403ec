"""Read side: a journey by any identifier, as one timeline. Parameters are always bound."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sinks.store import Store
from streams.state import Stage, current_stage

_EVENT_FIELDS = (
    "event_id, journey_id, milestone, raw_status, description, occurred_at, ingested_at, "
    "partner_id, partner_type, node_id, ownership, identifier_keys, exception_reason, "
    "exception_responsible, location, quality_flags, partner_format"
)


@dataclass
class Journey:
    journey_id: str
    aliases: list[str] = field(default_factory=list)
    identifiers: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stage(self) -> Stage | None:
        return current_stage(self.events)

    def to_json(self) -> dict[str, Any]:
        stage = self.stage
        return {
            "journey_id": self.journey_id,
            "stage": jsonable(asdict(stage)) if stage else None,
            "aliases": self.aliases,
            "identifiers": self.identifiers,
            "events": [jsonable(e) for e in self.events],
        }


def jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in row.items():
        if isinstance(v, datetime):
            v = (v if v.tzinfo else v.replace(tzinfo=UTC)).isoformat()
        out[k] = v
    return out


def normalize_query_id(text: str) -> str:
    """What people paste: trims spaces, and Shopify's '#1001' means order number 1001."""
    return text.strip().removeprefix("#")


def final_ids(store: Store, journey_ids: set[str]) -> dict[str, str]:
    """Each journey id -> the journey it now belongs to (itself when never merged)."""
    if not journey_ids:
        return {}
    rows = store.rows(
        "SELECT alias_id, argMax(journey_id, version) AS target FROM journey_aliases "
        "WHERE alias_id IN {ids:Array(String)} GROUP BY alias_id",
        {"ids": sorted(journey_ids)},
    )
    mapped = {r["alias_id"]: r["target"] for r in rows}
    return {j: mapped.get(j, j) for j in journey_ids}


def members(store: Store, final: set[str]) -> dict[str, set[str]]:
    """Each final journey -> every id that resolves to it (its aliases and itself)."""
    out: dict[str, set[str]] = {j: {j} for j in final}
    rows = store.rows(
        "SELECT alias_id, argMax(journey_id, version) AS target FROM journey_aliases "
        "WHERE alias_id IN (SELECT alias_id FROM journey_aliases "
        "WHERE journey_id IN {ids:Array(String)}) GROUP BY alias_id",
        {"ids": sorted(final)},
    )
    for r in rows:
        if r["target"] in out:
            out[r["target"]].add(r["alias_id"])
    return out


def _variants(value: str) -> list[str]:
    return sorted({value, value.upper(), value.replace(" ", "").upper()})


def find_journeys(store: Store, any_id: str, limit: int = 20) -> list[Journey]:
    """Every journey an identifier (or a journey id) belongs to, with its whole timeline.

    A journey holds the events of every identifier that belongs to it, including events
    that arrived before the link that tied them to the order, and events of a shipment
    shared with other orders. An identifier no order has claimed yet shows its orphan
    timeline.
    """
    value = normalize_query_id(any_id)
    if not value:
        return []
    seen = store.rows(
        "SELECT DISTINCT id_key, journey_id FROM identifiers WHERE id_value IN {v:Array(String)} "
        "LIMIT {n:UInt32}",
        {"v": _variants(value), "n": limit * 50},
    )
    keys = sorted({r["id_key"] for r in seen})
    candidates = {r["journey_id"] for r in seen}
    if keys:
        candidates |= {
            r["journey_id"]
            for r in store.rows(
                "SELECT DISTINCT journey_id FROM journey_members "
                "WHERE id_key IN {k:Array(String)} LIMIT {n:UInt32}",
                {"k": keys, "n": limit},
            )
        }
    if value.startswith(("jrn_", "orphan_")):
        candidates.add(value)
    finals = set(final_ids(store, candidates).values())
    claimed = {j for j in finals if not j.startswith("orphan_")}
    finals = claimed or finals  # an orphan timeline only while no order claims the id
    journeys = [_journey(store, j) for j in sorted(finals)[:limit]]
    return [j for j in journeys if j.events]


def _journey(store: Store, final: str) -> Journey:
    ids = members(store, {final})[final]
    member_keys = [
        r["id_key"]
        for r in store.rows(
            "SELECT DISTINCT id_key FROM journey_members WHERE journey_id IN {ids:Array(String)}",
            {"ids": sorted(ids)},
        )
    ]
    values = sorted({k.split(":", 2)[2] for k in member_keys})
    events = store.rows(
        f"SELECT {_EVENT_FIELDS} FROM journey_events "  # noqa: S608 - fixed columns
        "WHERE journey_id IN {ids:Array(String)} OR event_id IN ("
        "  SELECT event_id FROM identifiers"
        "  WHERE id_value IN {vals:Array(String)} AND id_key IN {keys:Array(String)})"
        " ORDER BY occurred_at, event_id LIMIT 1 BY event_id",
        {"ids": sorted(ids), "vals": values, "keys": member_keys},
    )
    journey = Journey(final, aliases=sorted(ids - {final}))
    identifiers: dict[str, dict[str, str]] = {}
    for e in events:
        e["identifiers"] = e.pop("identifier_keys")
        for key in e["identifiers"]:
            id_type, issuer, val = key.split(":", 2)
            identifiers.setdefault(key, {"type": id_type, "issuer": issuer, "value": val})
        journey.events.append(e)
    journey.identifiers = list(identifiers.values())
    return journey


def find_orphans(store: Store, older_than_s: int = 3600, limit: int = 1000) -> list[dict[str, Any]]:
    """Events no order has claimed, ingested more than ``older_than_s`` seconds ago."""
    rows = store.rows(
        "SELECT event_id, journey_id, milestone, partner_id, occurred_at, ingested_at, "
        "identifier_keys FROM journey_events "
        "WHERE startsWith(journey_id, 'orphan_') "
        "AND ingested_at < now64(3) - toIntervalSecond({h:UInt32}) "
        "AND event_id NOT IN (SELECT event_id FROM identifiers "
        "  WHERE id_key IN (SELECT id_key FROM journey_members)) "
        "ORDER BY ingested_at LIMIT 1 BY event_id LIMIT {n:UInt32}",
        {"h": older_than_s, "n": limit},
    )
    return [jsonable(r) for r in rows]


def event_journeys(store: Store) -> dict[str, set[str]]:
    """Every event -> the final journeys it belongs to (empty set: an orphan).

    The same resolution as a lookup, for all events at once: through the identifiers an
    event carries, the journeys those identifiers are members of, and their aliases.
    """
    rows = store.rows(
        "WITH final AS (SELECT alias_id, argMax(journey_id, version) AS target "
        "  FROM journey_aliases GROUP BY alias_id) "
        "SELECT e.event_id AS event_id, groupUniqArrayIf(if(f.target != '', f.target, "
        "  m.journey_id), m.journey_id != '') AS journeys "
        "FROM (SELECT DISTINCT event_id FROM journey_events) AS e "
        "LEFT JOIN (SELECT DISTINCT event_id, id_key FROM identifiers) AS i "
        "  ON i.event_id = e.event_id "
        "LEFT JOIN (SELECT DISTINCT journey_id, id_key FROM journey_members) AS m "
        "  ON m.id_key = i.id_key "
        "LEFT JOIN final AS f ON f.alias_id = m.journey_id "
        "GROUP BY e.event_id"
    )
    return {r["event_id"]: set(r["journeys"]) for r in rows}


def journeys_to_json(journeys: list[Journey]) -> str:
    return json.dumps([j.to_json() for j in journeys], indent=2)


_ALERT_FIELDS = (
    "alert_id, kind, status, rule, partner_id, node_id, journey_id, stage_start, since, "
    "deadline, opened_at, updated_at, resolved_at, last_milestone, last_event_at, "
    "last_partner_id, incident_id, journeys, paged"
)


def find_alerts(store: Store, open_only: bool = False, limit: int = 500) -> list[dict[str, Any]]:
    """Alerts, newest first; partner and incident alerts before per-journey records."""
    rows = store.rows(
        f"SELECT {_ALERT_FIELDS} FROM alerts FINAL "  # noqa: S608 - fixed columns
        "WHERE (NOT {open:Bool} OR status IN ('open', 'escalated')) "
        "ORDER BY kind IN ('sla_breach', 'silent_hold'), updated_at DESC LIMIT {n:UInt32}",
        {"open": open_only, "n": limit},
    )
    return [jsonable(r) for r in rows]


def find_stuck(
    store: Store,
    partner: str | None = None,
    node: str | None = None,
    stage: str | None = None,
    older_than_s: int = 0,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Journeys past their stage's SLA or held by a silent partner, oldest first."""
    rows = store.rows(
        "SELECT a.journey_id AS journey_id, a.kind AS why, a.rule AS stage, "
        "a.partner_id AS held_by, a.node_id AS node, a.since AS since, a.deadline AS deadline, "
        "a.last_milestone AS last_milestone, a.last_event_at AS last_event_at, "
        "a.last_partner_id AS last_partner, a.status AS status, o.order AS order "
        "FROM (SELECT * FROM alerts FINAL WHERE kind IN ('sla_breach', 'silent_hold') "
        "  AND status IN ('open', 'escalated')) AS a "
        "LEFT JOIN (SELECT journey_id, min(id_value) AS order FROM journey_members "
        "  WHERE id_type = 'order' GROUP BY journey_id) AS o ON o.journey_id = a.journey_id "
        "WHERE ({p:String} = '' OR a.partner_id = {p:String}) "
        "AND ({n:String} = '' OR a.node_id = {n:String}) "
        "AND ({s:String} = '' OR a.rule = {s:String}) "
        "AND a.since <= now64(3) - toIntervalSecond({age:UInt32}) "
        "ORDER BY a.since LIMIT 1 BY a.journey_id LIMIT {lim:UInt32}",
        {
            "p": partner or "",
            "n": node or "",
            "s": stage or "",
            "age": older_than_s,
            "lim": limit,
        },
    )
    return [jsonable(r) for r in rows]
