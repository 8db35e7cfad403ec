"""Lookups on the real schema in chDB: the lookup tables of migrations 0020-0023 hold what
landed (through their views, and by backfill for what landed before them), and journey,
orphan and stuck-order queries read them to the same answers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.canonical import Identifier, IdType, JourneyEvent, Milestone, Ownership, PartnerType
from sinks.clickhouse_sink import (
    ALERT_COLUMNS,
    ALIAS_COLUMNS,
    MEMBER_COLUMNS,
    alert_row,
)
from sinks.migrate import available, migrate
from sinks.queries import find_journeys, find_orphans, find_stuck
from sinks.store import Store
from streams.sla import Alert
from tests.helpers import insert_events

NOW = datetime.now(UTC).replace(microsecond=0)
T0 = NOW - timedelta(days=2)

ORDER = Identifier(type=IdType.order, value="100001")
MARKETPLACE = Identifier(type=IdType.marketplace_order, value="111-222", issuer="amazon")
SSCC = Identifier(type=IdType.sscc, value="006141410000000017")
TRACKING = Identifier(type=IdType.tracking_number, value="1Z999AA10123456784", issuer="ups")
#: The same tracking number as a carrier writes it: the same identifier.
TRACKING_AS_WRITTEN = Identifier(type=IdType.tracking_number, value="1z999aa1 0123456784")
STRAY = Identifier(type=IdType.tracking_number, value="1Z000STRAY", issuer="ups")
OTHER = Identifier(type=IdType.order, value="100002")


def event(
    n: int, milestone: Milestone, hours: float, journey: str, *ids: Identifier
) -> JourneyEvent:
    carrier = milestone in (Milestone.picked_up, Milestone.in_transit, Milestone.delivered)
    partner = "ups" if carrier else "dc-east-wms"
    return JourneyEvent(
        event_id=f"evt_{n}", journey_id=journey, milestone=milestone,
        occurred_at=T0 + timedelta(hours=hours), ingested_at=T0 + timedelta(hours=hours),
        partner_id=partner, node_id=f"{partner}-node",
        partner_type=PartnerType.carrier if carrier else PartnerType.warehouse,
        ownership=Ownership.partner if carrier else Ownership.owned, identifiers=ids,
    )  # fmt: skip


#: An order merged from an earlier journey id, with carrier scans that landed as an
#: orphan of the tracking number before the link; a stray scan nobody claims; another
#: order.
EVENTS = (
    event(1, Milestone.order_placed, 0, "jrn_old", MARKETPLACE),
    event(2, Milestone.picked, 2, "jrn_a", ORDER, SSCC),
    event(3, Milestone.picked_up, 5, "orphan_t", TRACKING),
    event(4, Milestone.handed_off, 4, "jrn_a", ORDER, SSCC, TRACKING),
    event(5, Milestone.delivered, 30, "orphan_t", TRACKING),
    event(6, Milestone.in_transit, 6, "orphan_s", STRAY),
    event(7, Milestone.order_placed, 1, "jrn_b", OTHER),
    event(8, Milestone.in_transit, 8, "orphan_t", TRACKING_AS_WRITTEN),
)
MEMBERS = (
    ("jrn_old", MARKETPLACE),
    ("jrn_a", ORDER),
    ("jrn_a", SSCC),
    ("jrn_a", TRACKING),
    ("jrn_b", OTHER),
)


def land_journeys(store: Store) -> None:
    store.insert("journey_aliases", [["jrn_old", "jrn_a", 1, T0]], ALIAS_COLUMNS)
    rows = [[j, i.key, i.key.split(":", 2)[2], i.type.value, T0] for j, i in MEMBERS]
    store.insert("journey_members", rows, MEMBER_COLUMNS)


def land_alerts(store: Store, *alerts: Alert) -> None:
    store.insert("alerts", [alert_row(json.dumps(a.to_dict()).encode()) for a in alerts],
                 ALERT_COLUMNS)  # fmt: skip


@pytest.fixture
def landed(store: Store) -> Store:
    insert_events(store, *EVENTS)
    land_journeys(store)
    return store


@pytest.fixture
def before_lookup_tables() -> Iterator[Store]:
    """A store with the migrations before 0020 only."""
    from tests.conftest import _CHDB_DIR

    s = Store(f"chdb://{_CHDB_DIR}", database=f"t_{uuid.uuid4().hex[:12]}")
    s.command(
        "CREATE TABLE schema_migrations (version UInt32, name String, "
        "applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY version"
    )
    for mig in available():
        if mig.version < 20:
            for statement in mig.statements:
                s.command(statement)
            s.insert("schema_migrations", [[mig.version, mig.name]], ["version", "name"])
    yield s
    s.command(f"DROP DATABASE IF EXISTS `{s.database}`")


def lookup_tables(store: Store) -> dict[str, list[tuple[str, ...]]]:
    queries = {
        "journey_timeline": "SELECT DISTINCT journey_id, event_id, milestone, partner_id "
        "FROM journey_timeline",
        "identifier_journeys": "SELECT DISTINCT id_key, journey_id FROM identifier_journeys",
        "journey_orders": "SELECT DISTINCT journey_id, order_number FROM journey_orders",
        "identifier_landings": "SELECT DISTINCT id_key, journey_id FROM identifier_landings",
    }
    return {
        table: sorted(tuple(str(v) for v in r.values()) for r in store.rows(sql))
        for table, sql in queries.items()
    }


def test_lookup_tables_hold_what_landed_before_and_after_their_migrations(
    before_lookup_tables: Store,
) -> None:
    store = before_lookup_tables
    insert_events(store, *EVENTS[:4])
    land_journeys(store)
    assert [m.version for m in migrate(store)] == [m.version for m in available()
                                                   if m.version >= 20]  # fmt: skip
    insert_events(store, *EVENTS[3:])  # event 4 lands twice: it counts once
    assert lookup_tables(store) == {
        "journey_timeline": sorted(
            (e.journey_id, e.event_id, e.milestone.value, e.partner_id) for e in EVENTS
        ),
        "identifier_journeys": sorted((i.key, j) for j, i in MEMBERS),
        "journey_orders": [("jrn_a", "100001"), ("jrn_b", "100002")],
        "identifier_landings": sorted(
            {(i.key, e.journey_id) for e in EVENTS for i in e.identifiers}
        ),
    }
    assert store.rows("SELECT count() AS n FROM journey_timeline FINAL") == [{"n": len(EVENTS)}]


def test_a_journey_is_found_by_any_of_its_ids_with_every_event_of_its_identifiers(
    landed: Store,
) -> None:
    expected = ["evt_1", "evt_2", "evt_4", "evt_3", "evt_8", "evt_5"]  # in time order
    for query in ("100001", "#100001", "111-222", "006141410000000017",
                  "1z999aa1 0123456784", "jrn_a", "jrn_old"):  # fmt: skip
        [journey] = find_journeys(landed, query)
        assert (journey.journey_id, journey.aliases) == ("jrn_a", ["jrn_old"]), query
        assert [e["event_id"] for e in journey.events] == expected, query
    assert {i["value"] for i in journey.identifiers} == {
        i.key.split(":", 2)[2] for _, i in MEMBERS[:4]
    }
    [orphan] = find_journeys(landed, "orphan_t")  # asked for by its own id: as it landed
    assert [e["event_id"] for e in orphan.events] == ["evt_3", "evt_8", "evt_5"]
    [stray] = find_journeys(landed, "1Z000STRAY")  # no order claims it: its orphan timeline
    assert (stray.journey_id, [e["event_id"] for e in stray.events]) == ("orphan_s", ["evt_6"])
    assert find_journeys(landed, "999999") == []


def test_orphans_are_the_events_no_journey_claims(landed: Store) -> None:
    assert [(o["event_id"], o["journey_id"]) for o in find_orphans(landed)] == [
        ("evt_6", "orphan_s")
    ]
    assert find_orphans(landed, older_than_s=10 * 86400) == []


def alert(n: int, journey: str, status: str, version: int, **kw: Any) -> Alert:
    kw.setdefault("kind", "sla_breach")
    return Alert(
        alert_id=f"alr_{n}", status=status, rule="pick_pack", partner_id="dc-east-wms",
        node_id="dc-east", journey_id=journey, stage_start="order_placed",
        since=T0 + timedelta(hours=n), deadline=T0 + timedelta(hours=n + 24),
        opened_at=T0 + timedelta(hours=n + 24), updated_at=T0 + timedelta(hours=n + 24),
        last_milestone="order_placed", last_event_at=T0, last_partner_id="shopify",
        version=version, **kw,
    )  # fmt: skip


def test_stuck_lists_open_breaches_oldest_first_with_their_order(landed: Store) -> None:
    landed.insert("journey_members", [["jrn_b", "order::100000", "100000", "order", T0]],
                  MEMBER_COLUMNS)  # fmt: skip
    land_alerts(
        landed,
        alert(1, "jrn_a", "open", 1),
        alert(1, "jrn_a", "escalated", 2),  # a newer version of the same alert
        alert(2, "jrn_b", "open", 3),
        alert(3, "jrn_c", "open", 4, kind="silent_hold"),
        alert(4, "jrn_d", "open", 5),
        alert(4, "jrn_d", "resolved", 6),  # moved on
        alert(5, "", "open", 7, kind="partner_silent"),  # the partner, not a journey
    )
    stuck = find_stuck(landed)
    assert [(r["journey_id"], r["why"], r["status"], r["order"]) for r in stuck] == [
        ("jrn_a", "sla_breach", "escalated", "100001"),
        ("jrn_b", "sla_breach", "open", "100000"),  # the smaller of its two order numbers
        ("jrn_c", "silent_hold", "open", ""),  # no order number known
    ]
    assert list(stuck[0]) == [
        "journey_id", "why", "stage", "held_by", "node", "since", "deadline",
        "last_milestone", "last_event_at", "last_partner", "status", "order",
    ]  # fmt: skip
    assert [r["journey_id"] for r in find_stuck(landed, limit=2)] == ["jrn_a", "jrn_b"]
    assert find_stuck(landed, partner="ups") == []
    assert find_stuck(landed, older_than_s=10 * 86400) == []
