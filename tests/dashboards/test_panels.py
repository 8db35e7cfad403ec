"""Panels against the real schema in chDB: every query runs, and counts what landed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from dashboards.panels import PANELS, PARAMETERS, STAGES, run_panel, window_parameters
from dashboards.views import VIEWS
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdType,
    JourneyEvent,
    Milestone,
    Ownership,
    PartnerType,
    Responsible,
)
from seamscope.network import Network
from sinks.clickhouse_sink import (
    ALIAS_COLUMNS,
    DEAD_LETTER_COLUMNS,
    EVENT_COLUMNS,
    IDENTIFIER_COLUMNS,
    MEMBER_COLUMNS,
    event_rows,
)
from sinks.queries import find_journeys
from sinks.store import Store
from streams.simulate import Simulator
from tests.helpers import land, raw_records

NOW = datetime.now(UTC).replace(microsecond=0)
WIDE = window_parameters(hours=24 * 7, until=NOW + timedelta(hours=1))

INJECTIONS = (
    "' OR 1=1 --",
    "100001' OR '1'='1",
    '"; DROP TABLE journey_events; --',
    "jrn_' UNION SELECT * FROM journey_events --",
    "{id:String}",
    "orphan_%",
    "1 OR 1=1",
    "\\' OR \\'a\\'=\\'a",
)


def event(
    n: int,
    milestone: Milestone,
    at: datetime,
    journey: str = "jrn_a",
    partner: str = "ups",
    ptype: PartnerType = PartnerType.carrier,
    ownership: Ownership = Ownership.partner,
    ids: tuple[Identifier, ...] = (Identifier(type=IdType.order, value="100001"),),
    exception: ExceptionInfo | None = None,
    flags: tuple[str, ...] = (),
) -> JourneyEvent:
    return JourneyEvent(
        event_id=f"evt_{n}",
        journey_id=journey,
        milestone=milestone,
        occurred_at=at,
        ingested_at=NOW,
        partner_id=partner,
        partner_type=ptype,
        node_id=f"{partner}-node",
        ownership=ownership,
        identifiers=ids,
        exception=exception,
        quality_flags=flags,
    )


def insert(store: Store, *events: JourneyEvent) -> None:
    rows: list[list[object]] = []
    idents: list[list[object]] = []
    for e in events:
        event_rows(e.model_dump_json().encode(), rows, idents)
    store.insert("journey_events", rows, EVENT_COLUMNS)
    store.insert("identifiers", idents, IDENTIFIER_COLUMNS)


def dead_letter(store: Store, n: int, partner: str, reason: str) -> None:
    row = [f"d{n}", partner, "ups", f"seamscope.raw.{partner}", 0, n, reason, "invalid_payload"]
    store.insert("dead_letters", [[*row, b"{", {}, NOW]], DEAD_LETTER_COLUMNS)


def test_panels_declare_their_parameters_and_views_name_real_panels() -> None:
    for panel in PANELS.values():
        for name, type_ in panel.parameters.items():
            assert PARAMETERS[name].type == type_, (panel.name, name)
        assert "%(" not in panel.sql and "{{" not in panel.sql, panel.name
        for col in (*panel.x, *panel.y):
            assert col in panel.sql, (panel.name, col)
    for view in VIEWS.values():
        assert all(p in PANELS for p in view.panels), view.slug
        assert bool(view.panels) != bool(view.planned), view.slug


def test_every_panel_runs_on_the_empty_schema(store: Store) -> None:
    for name in PANELS:
        rows = run_panel(store, name)
        if name == "overview":
            assert rows[0]["events"] == 0
        else:
            assert rows == [], name


def test_health_exceptions_quality_and_dead_letters_count_distinct_events(store: Store) -> None:
    weather = ExceptionInfo(reason="weather_delay", responsible=Responsible.force_majeure)
    late = NOW - timedelta(days=400)  # implausible: counted when it was ingested
    insert(
        store,
        event(1, Milestone.picked_up, NOW - timedelta(hours=3)),
        event(2, Milestone.on_hold, NOW - timedelta(hours=2), exception=weather),
        event(3, Milestone.in_transit, late, flags=("very_late",)),
        event(
            4,
            Milestone.picked,
            NOW - timedelta(hours=5),
            "jrn_b",
            "dc",
            PartnerType.warehouse,
            Ownership.owned,
        ),
    )
    insert(store, event(2, Milestone.on_hold, NOW - timedelta(hours=2), exception=weather))
    dead_letter(store, 1, "ups", "payload is not valid JSON")
    dead_letter(store, 2, "fedex", "payload is not valid JSON")

    day = window_parameters(hours=24, until=NOW + timedelta(minutes=1))
    [overview] = run_panel(store, "overview", day)
    assert overview == {
        "events": 4, "journeys": 2, "exceptions": 1, "exception_rate_pct": 25.0,
        "quality_problems": 1, "dead_letters": 2,
    }  # fmt: skip
    health = {r["partner_id"]: r for r in run_panel(store, "partner_health", day)}
    assert {p: (r["events"], r["exceptions"], r["dead_letters"]) for p, r in health.items()} == {
        "ups": (3, 1, 1),
        "dc": (1, 0, 0),
        "fedex": (0, 0, 1),  # only dead letters: still listed, never silent-for a report
    }
    assert health["ups"]["exception_rate_pct"] == pytest.approx(33.33)
    assert health["fedex"]["last_report_at"] is None
    since_now = (datetime.now(UTC) - NOW).total_seconds()  # NOW is fixed at import
    assert since_now - 5 <= health["ups"]["silent_for_s"] < since_now + 120

    reasons = run_panel(store, "exceptions_by_reason", day)
    assert [(r["exception_reason"], r["exception_responsible"], r["events"]) for r in reasons] == [
        ("weather_delay", "force_majeure", 1)
    ]
    drill = run_panel(store, "exception_journeys", {**day, "reason": "weather_delay"})
    assert [(r["journey_id"], r["identifiers"]) for r in drill] == [("jrn_a", "100001")]
    assert run_panel(store, "exception_journeys", {**day, "reason": "carrier_parcel_lost"}) == []
    assert [(r["quality_flag"], r["events"]) for r in run_panel(store, "quality_flags", day)] == [
        ("very_late", 1)
    ]
    assert sum(r["letters"] for r in run_panel(store, "dead_letter_trend", day)) == 2
    only_ups = run_panel(store, "partner_health", {**day, "partners": ["ups"]})
    assert [r["partner_id"] for r in only_ups] == ["ups"]
    assert run_panel(store, "overview", {**day, "partners": ["' OR 1=1 --"]})[0]["events"] == 0


def test_stage_latency_follows_aliases_and_orphans_to_the_final_journey(store: Store) -> None:
    t0 = NOW - timedelta(hours=10)
    tracking = Identifier(type=IdType.tracking_number, value="1Z999")
    insert(
        store,
        event(1, Milestone.order_placed, t0, "jrn_old", "shop", PartnerType.marketplace),
        event(
            2,
            Milestone.picked,
            t0 + timedelta(hours=1),
            "jrn_new",
            "dc",
            PartnerType.warehouse,
            Ownership.owned,
        ),
        event(
            3,
            Milestone.handed_off,
            t0 + timedelta(hours=2),
            "jrn_new",
            "dc",
            PartnerType.warehouse,
            Ownership.owned,
        ),
        # the carrier reported before the link: filed as an orphan under its tracking number
        event(4, Milestone.picked_up, t0 + timedelta(hours=3), "orphan_1z", ids=(tracking,)),
    )
    store.insert("journey_aliases", [["jrn_old", "jrn_new", 1, NOW]], ALIAS_COLUMNS)
    member = ["jrn_new", tracking.key, "1Z999", "tracking_number", NOW]
    store.insert("journey_members", [member], MEMBER_COLUMNS)
    rows = run_panel(store, "stage_latency", WIDE)
    got = [(r["stage"], r["from_partner"], r["partner_id"], r["handoff"], r["p50_s"]) for r in rows]
    assert got == [
        ("order_placed → picked", "shop", "dc", 1, 3600),
        ("handed_off → picked_up", "dc", "ups", 1, 3600),
    ]
    owned = {
        (r["stage"], r["ownership"]): r["p90_s"]
        for r in run_panel(store, "ownership_latency", WIDE)
    }
    assert owned == {
        ("order_placed → picked", "owned"): 3600,
        ("handed_off → picked_up", "partner"): 3600,
    }


def test_panels_agree_with_the_landed_events_of_simulated_orders(
    store: Store, network: Network
) -> None:
    steps = Simulator(network, seed=11).plan_history(25, NOW, days=4.0)
    land(store, network, raw_records(network, steps))
    [direct] = store.rows(
        "SELECT uniqExact(event_id) AS events, "
        "uniqExactIf(journey_id, NOT startsWith(journey_id, 'orphan_')) AS journeys "
        "FROM journey_events"
    )
    [overview] = run_panel(store, "overview", WIDE)
    assert (overview["events"], overview["journeys"]) == (direct["events"], direct["journeys"])
    by_milestone = {
        (r["milestone"], r["ownership"]): r["events"]
        for r in run_panel(store, "milestones_by_ownership", WIDE)
    }
    assert by_milestone == {
        (r["milestone"], r["ownership"]): r["n"]
        for r in store.rows(
            "SELECT milestone, ownership, uniqExact(event_id) AS n FROM journey_events "
            "GROUP BY milestone, ownership"
        )
    }
    assert sum(r["events"] for r in run_panel(store, "volume_trend", WIDE)) == direct["events"]

    # Stage durations as the journey lookup sees each order, against the latency panel.
    expected: dict[str, list[float]] = {}
    for order in sorted({s.order.order_number for s in steps}):
        [journey] = find_journeys(store, order)
        first: dict[str, datetime] = {}
        for e in journey.events:
            at = e["occurred_at"].replace(tzinfo=UTC)
            first[e["milestone"]] = min(first.get(e["milestone"], at), at)
        for a, b in STAGES:
            if a in first and b in first and first[b] >= first[a]:
                expected.setdefault(f"{a} → {b}", []).append((first[b] - first[a]).total_seconds())
    got: dict[str, int] = {}
    for r in run_panel(store, "stage_latency", WIDE):
        got[r["stage"]] = got.get(r["stage"], 0) + r["transitions"]
    assert got == {stage: len(v) for stage, v in expected.items()}
    assert len(got) == len(STAGES)


def test_journey_timeline_panel_finds_what_the_lookup_finds(store: Store, network: Network) -> None:
    steps = Simulator(network, seed=5).plan_history(6, NOW, days=1.0)
    land(store, network, raw_records(network, steps))
    order = random.Random(1).choice(steps).order
    (journey,) = find_journeys(store, order.order_number)
    # Every kind of id the order's partners reported (3PL formats carry no SSCC).
    carried = [i["value"] for i in journey.identifiers if i["type"] in ("tracking_number", "sscc")]
    assert carried
    for any_id in (order.order_number, f"#{order.order_number}", *(v.lower() for v in carried)):
        lookup = {e["event_id"] for j in find_journeys(store, any_id) for e in j.events}
        panel = {r["event_id"] for r in run_panel(store, "journey_timeline", {"id": any_id})}
        assert lookup and panel == lookup, any_id


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_find_no_journey(store: Store, text: str) -> None:
    insert(store, event(1, Milestone.picked_up, NOW - timedelta(hours=1)))
    assert find_journeys(store, text) == []
    assert run_panel(store, "journey_timeline", {"id": text}) == []
    assert run_panel(store, "exception_journeys", {"reason": text}) == []
    assert store.rows("SELECT count() AS n FROM journey_events") == [{"n": 1}]
