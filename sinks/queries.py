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


def as_utc(value: Any) -> datetime:
    """A time from a row or its JSON (``jsonable``): an aware datetime in UTC (naive ones
    are UTC, as the store keeps them)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a time: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
                "SELECT DISTINCT journey_id FROM identifier_journeys "
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
    """One journey's timeline: the events filed under its ids (itself and its aliases),
    and the events that carry any identifier belonging to it (by its key, however the
    partner wrote it), wherever they landed. Both read from journey_timeline by its
    sorting key: the other journey ids such events landed with come from
    identifier_landings."""
    ids = members(store, {final})[final]
    member_keys = [
        r["id_key"]
        for r in store.rows(
            "SELECT DISTINCT id_key FROM journey_members WHERE journey_id IN {ids:Array(String)}",
            {"ids": sorted(ids)},
        )
    ]
    elsewhere = [
        r["journey_id"]
        for r in store.rows(
            "SELECT DISTINCT journey_id FROM identifier_landings "
            "WHERE id_key IN {keys:Array(String)} AND journey_id NOT IN {ids:Array(String)}",
            {"keys": member_keys, "ids": sorted(ids)},
        )
    ]
    events = store.rows(
        f"SELECT {_EVENT_FIELDS} FROM journey_timeline "  # noqa: S608 - fixed columns
        "WHERE journey_id IN {ids:Array(String)} "
        "OR (journey_id IN {elsewhere:Array(String)} "
        "    AND hasAny(identifier_keys, {keys:Array(String)}))"
        " ORDER BY occurred_at, event_id LIMIT 1 BY event_id",
        {"ids": sorted(ids), "elsewhere": elsewhere, "keys": member_keys},
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
    """Events no order has claimed, ingested more than ``older_than_s`` seconds ago.

    Orphans sort together in journey_timeline (journey id ``orphan_...``); one is claimed
    once any of its identifiers belongs to a journey (identifier_journeys, the members by
    identifier).
    """
    rows = store.rows(
        "WITH orphans AS (SELECT event_id, identifier_keys FROM journey_timeline "
        "  WHERE startsWith(journey_id, 'orphan_')) "
        "SELECT event_id, journey_id, milestone, partner_id, occurred_at, ingested_at, "
        "identifier_keys FROM journey_timeline "
        "WHERE startsWith(journey_id, 'orphan_') "
        "AND ingested_at < now64(3) - toIntervalSecond({h:UInt32}) "
        "AND event_id NOT IN (SELECT event_id FROM orphans ARRAY JOIN identifier_keys AS key "
        "  WHERE key IN (SELECT id_key FROM identifier_journeys "
        "    WHERE id_key IN (SELECT arrayJoin(identifier_keys) FROM orphans))) "
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
    """Journeys past their stage's SLA or held by a silent partner, oldest first.

    The open alerts are cut to ``limit`` first; only the journeys listed then have their
    order number looked up (in journey_orders, not over every journey's members).
    """
    rows = store.rows(
        "SELECT journey_id, kind AS why, rule AS stage, partner_id AS held_by, node_id AS node, "
        "since, deadline, last_milestone, last_event_at, last_partner_id AS last_partner, status "
        "FROM alerts FINAL WHERE kind IN ('sla_breach', 'silent_hold') "
        "AND status IN ('open', 'escalated') "
        "AND ({p:String} = '' OR partner_id = {p:String}) "
        "AND ({n:String} = '' OR node_id = {n:String}) "
        "AND ({s:String} = '' OR rule = {s:String}) "
        "AND since <= now64(3) - toIntervalSecond({age:UInt32}) "
        "ORDER BY since LIMIT 1 BY journey_id LIMIT {lim:UInt32}",
        {
            "p": partner or "",
            "n": node or "",
            "s": stage or "",
            "age": older_than_s,
            "lim": limit,
        },
    )
    orders = order_numbers(store, {r["journey_id"] for r in rows})
    for r in rows:
        r["order"] = orders.get(r["journey_id"], "")
    return [jsonable(r) for r in rows]


def order_numbers(store: Store, journey_ids: set[str]) -> dict[str, str]:
    """Each journey's retailer order number (the smallest, when it has several)."""
    if not journey_ids:
        return {}
    rows = store.rows(
        "SELECT journey_id, min(order_number) AS order FROM journey_orders "
        "WHERE journey_id IN {ids:Array(String)} GROUP BY journey_id",
        {"ids": sorted(journey_ids)},
    )
    return {r["journey_id"]: r["order"] for r in rows}
