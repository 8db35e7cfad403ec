"""Read side: a journey by any identifier, as one timeline. Parameters are always bound."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sinks.store import Store

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

    def to_json(self) -> dict[str, Any]:
        return {
            "journey_id": self.journey_id,
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


def find_journeys(store: Store, any_id: str, limit: int = 20) -> list[Journey]:
    """Every journey that an identifier (or a journey id) belongs to, with its timeline."""
    value = normalize_query_id(any_id)
    if not value:
        return []
    found = {
        r["journey_id"]
        for r in store.rows(
            "SELECT DISTINCT journey_id FROM identifiers WHERE id_value IN {v:Array(String)} "
            "LIMIT {n:UInt32}",
            {"v": sorted({value, value.upper(), value.replace(" ", "").upper()}), "n": limit},
        )
    }
    if value.startswith("jrn_"):
        found.add(value)
    finals = set(final_ids(store, found).values())
    if not finals:
        return []
    groups = members(store, finals)
    all_ids = sorted(set().union(*groups.values()))
    events = store.rows(
        f"SELECT {_EVENT_FIELDS} FROM journey_events WHERE journey_id IN {{ids:Array(String)}} "  # noqa: S608 - fixed columns
        "ORDER BY occurred_at, event_id LIMIT 1 BY event_id",
        {"ids": all_ids},
    )
    owner = {alias: final for final, ids in groups.items() for alias in ids}
    journeys = {j: Journey(j, aliases=sorted(groups[j] - {j})) for j in sorted(finals)}
    for e in events:
        jid = owner.get(e["journey_id"])
        if jid is None:
            continue
        e["identifiers"] = e.pop("identifier_keys")
        journeys[jid].events.append(e)
    for j in journeys.values():
        seen: dict[str, dict[str, str]] = {}
        for e in j.events:
            for key in e["identifiers"]:
                id_type, issuer, val = key.split(":", 2)
                seen.setdefault(key, {"type": id_type, "issuer": issuer, "value": val})
        j.identifiers = list(seen.values())
    return [j for j in journeys.values() if j.events]


def journeys_to_json(journeys: list[Journey]) -> str:
    return json.dumps([j.to_json() for j in journeys], indent=2)
