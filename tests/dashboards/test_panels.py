"""Panels against the real schema in chDB: every query runs, and counts what landed."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from dashboards import panels
from dashboards.panels import (
    NOW_COLUMNS,
    PANELS,
    PARAMETERS,
    STAGES,
    run_panel,
    window_parameters,
)
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
    ALERT_COLUMNS,
    ALIAS_COLUMNS,
    DEAD_LETTER_COLUMNS,
    MEMBER_COLUMNS,
    STAGE_COLUMNS,
    alert_row,
    stage_row,
)
from sinks.queries import find_alerts, find_journeys, find_stuck, jsonable
from sinks.store import Store
from streams.simulate import Failures, Simulator, Step, plan_live
from streams.sla import Alert, Observation, SlaEngine, StageFact, alert_id
from tests.dashboards import legacy_panels as legacy
from tests.helpers import insert_events, land, raw_records

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
    promised_by: datetime | None = None,
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
        promised_by=promised_by,
    )


def dead_letter(store: Store, n: int, partner: str, reason: str) -> None:
    row = [f"d{n}", partner, "ups", f"seamscope.raw.{partner}", 0, n, reason, "invalid_payload"]
    store.insert("dead_letters", [[*row, b"{", {}, NOW]], DEAD_LETTER_COLUMNS)


def insert_alerts(store: Store, alerts: list[Alert]) -> None:
    """Alerts as the sink lands them from the alerts topic."""
    rows = [alert_row(json.dumps(a.to_dict()).encode()) for a in alerts]
    store.insert("alerts", rows, ALERT_COLUMNS)


def failing_history(network: Network, orders: int, now: datetime, seed: int = 3) -> list[Step]:
    """Three days of orders, a third of them stuck the ways the simulator knows, up to now."""
    sim = Simulator(network, seed=seed)
    start = now - timedelta(days=3)
    steps, _ = plan_live(sim, orders, start, 3 * 86400, 1.0, Failures(rate=0.35))
    return [s for s in steps if s.at <= now]


def insert_facts(store: Store, facts: list[StageFact]) -> None:
    """Stage facts as the sink lands them from the stage-facts topic."""
    rows = [stage_row(orjson.dumps(f)) for f in facts]
    store.insert("journey_stages", rows, STAGE_COLUMNS)


def landed_observations(store: Store) -> list[Observation]:
    """Every landed event as an observation of the journey a lookup finds it in (orphans
    claimed and merged journeys followed, as the worker's identity graph has them)."""
    observations: dict[tuple[str, str], Observation] = {}
    promised = {
        r["event_id"]: datetime.fromisoformat(r["at"])
        for r in store.rows(
            "SELECT event_id, JSONExtractString(payload, 'promised_by') AS at "
            "FROM journey_events WHERE at != ''"
        )
    }
    orders = store.rows("SELECT DISTINCT id_value FROM identifiers WHERE id_type = 'order'")
    for r in orders:
        for j in find_journeys(store, r["id_value"]):
            for e in j.events:
                at = e["occurred_at"].replace(tzinfo=UTC)
                observations[(j.journey_id, e["event_id"])] = Observation(
                    (j.journey_id,), e["milestone"], at, e["partner_id"], e["partner_type"],
                    e["node_id"], heard_at=at, ownership=e["ownership"],
                    promised_by=promised.get(e["event_id"]),
                )  # fmt: skip
    return sorted(observations.values(), key=lambda o: (o.occurred_at, o.journeys))


def raise_alerts(store: Store, network: Network, now: datetime) -> list[Alert]:
    """Run the worker's SLA engine over the landed journeys (as a lookup finds them) on
    event time, as a backfill does, then to ``now``; land every alert it raised and the
    stage facts it filed."""
    engine = SlaEngine(network)
    raised: list[Alert] = []
    for obs in landed_observations(store):
        raised += engine.tick(obs.occurred_at)
        raised += engine.observe(obs, obs.occurred_at)
    raised += engine.tick(now)
    insert_alerts(store, raised)
    insert_facts(store, engine.take_facts())
    return raised


def file_facts(store: Store, network: Network, alerts: list[Alert] | None = None) -> None:
    """The stage facts of the landed journeys as a restarted worker files them: the
    ``alerts`` raised before restored (and landed), the history replayed, raising nothing."""
    engine = SlaEngine(network)
    engine.restore(alerts or [])
    engine.replaying = True
    history = landed_observations(store)
    engine.ownership.update({o.node_id: o.ownership for o in history})  # test-only nodes
    for obs in history:
        engine.observe(obs, NOW)
    if alerts:
        insert_alerts(store, alerts)
    insert_facts(store, engine.take_facts())


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


def test_every_panel_runs_on_the_empty_schema(store: Store, network: Network) -> None:
    for name, panel in PANELS.items():
        rows = run_panel(store, name, window_parameters(sla=network.sla))
        if panel.visual == "stat":
            assert [set(rows[0].values())] == [{0}], name
        else:
            assert rows == [], name


def test_health_exceptions_quality_and_dead_letters_count_distinct_events(store: Store) -> None:
    weather = ExceptionInfo(reason="weather_delay", responsible=Responsible.force_majeure)
    late = NOW - timedelta(days=400)  # implausible: counted when it was ingested
    insert_events(
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
    insert_events(store, event(2, Milestone.on_hold, NOW - timedelta(hours=2), exception=weather))
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


def test_stage_latency_follows_aliases_and_orphans_to_the_final_journey(
    store: Store, network: Network
) -> None:
    t0 = NOW - timedelta(hours=10)
    tracking = Identifier(type=IdType.tracking_number, value="1Z999")
    insert_events(
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
    file_facts(store, network)
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
    raise_alerts(store, network, NOW)
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
    insert_events(store, event(1, Milestone.picked_up, NOW - timedelta(hours=1)))
    assert find_journeys(store, text) == []
    assert run_panel(store, "journey_timeline", {"id": text}) == []
    assert run_panel(store, "exception_journeys", {"reason": text}) == []
    assert store.rows("SELECT count() AS n FROM journey_events") == [{"n": 1}]


def breach(
    journey: str, stage: str, deadline: datetime, partner: str, status: str = "open"
) -> Alert:
    return Alert(
        alert_id=alert_id("sla", journey, stage), kind="sla_breach", status=status,
        rule=stage, partner_id=partner, node_id=f"{partner}-node", journey_id=journey,
        stage_start="order_placed", since=deadline - timedelta(hours=24), deadline=deadline,
        opened_at=deadline, updated_at=deadline, version=1,
    )  # fmt: skip


def test_sla_attainment_counts_stages_that_met_and_missed_their_deadline(
    store: Store, network: Network
) -> None:
    t0 = NOW - timedelta(hours=40)
    due = t0 + timedelta(hours=24)
    shop = {"partner": "shop", "ptype": PartnerType.marketplace}
    dc = {"partner": "dc", "ptype": PartnerType.warehouse, "ownership": Ownership.owned}
    ids = {j: (Identifier(type=IdType.order, value=f"9{i}"),) for i, j in enumerate("abcdef")}
    insert_events(
        store,
        event(1, Milestone.order_placed, t0, "jrn_a", ids=ids["a"], **shop),
        event(2, Milestone.packed, t0 + timedelta(hours=2), "jrn_a", ids=ids["a"], **dc),
        # packed late: the breach the engine raised resolved when it was
        event(3, Milestone.order_placed, t0, "jrn_b", ids=ids["b"], **shop),
        event(4, Milestone.packed, t0 + timedelta(hours=30), "jrn_b", ids=ids["b"], **dc),
        # never packed: stuck
        event(5, Milestone.order_placed, t0, "jrn_c", ids=ids["c"], **shop),
        # packed in time, but the report came after the deadline had passed
        event(6, Milestone.order_placed, t0, "jrn_d", ids=ids["d"], **shop),
        event(7, Milestone.packed, t0 + timedelta(hours=20), "jrn_d", ids=ids["d"], **dc),
        # the promise: one delivered by the date the marketplace gave, one too late
        event(8, Milestone.order_placed, t0, "jrn_e", ids=ids["e"], **shop,
              promised_by=t0 + timedelta(hours=36)),
        event(9, Milestone.delivered, t0 + timedelta(hours=30), "jrn_e", ids=ids["e"]),
        event(10, Milestone.order_placed, t0, "jrn_f", ids=ids["f"], **shop),
        event(11, Milestone.delivered, t0 + timedelta(hours=34), "jrn_f", ids=ids["f"]),
    )  # fmt: skip
    file_facts(
        store,
        network,
        [
            breach("jrn_b", "pick_pack", due, "dc", "resolved"),
            breach("jrn_c", "pick_pack", due, "dc"),
            breach("jrn_d", "pick_pack", due, "dc", "resolved"),
            breach("jrn_f", "promise", t0 + timedelta(hours=33), "ups", "resolved"),
        ],
    )
    window = window_parameters(hours=72, until=NOW, sla=network.sla)
    rows = run_panel(store, "sla_attainment", window)
    got = {(r["stage"], r["partner_id"]): r for r in rows}
    pick = got["pick_pack", "dc"]
    assert (pick["node_id"], pick["decided"], pick["met"], pick["missed_n"]) == ("dc-node", 4, 2, 2)
    assert (pick["attainment_pct"], pick["still_open"]) == (50.0, 1)
    assert {k: (r["met"], r["missed_n"]) for k, r in got.items()} == {
        ("pick_pack", "dc"): (2, 2),
        ("promise", "ups"): (1, 1),
    }
    promise = run_panel(store, "promise_on_time", window)
    assert [(r["partner_id"], r["due"], r["on_time"], r["late"], r["on_time_pct"],
             r["with_promise_date"]) for r in promise] == [("ups", 2, 1, 1, 50.0, 1)]  # fmt: skip
    trend = run_panel(store, "sla_attainment_trend", window)
    assert {r["partner_id"] for r in trend} == {"dc", "ups"}
    assert run_panel(store, "sla_attainment", {**window, "partners": ["ups"]}) == [
        got["promise", "ups"]
    ]
    # Without the network's stages there is nothing to judge.
    assert run_panel(store, "sla_attainment", {**window, "sla_stages": []}) == []
    # The window holds the stages decided in it: jrn_a ended 38 hours ago.
    recent = window_parameters(hours=20, until=NOW, sla=network.sla)
    [pick] = [r for r in run_panel(store, "sla_attainment", recent) if r["stage"] == "pick_pack"]
    assert (pick["decided"], pick["met"], pick["missed_n"]) == (3, 1, 2)


def test_stuck_and_alert_panels_show_what_the_sla_engine_raised(
    store: Store, network: Network
) -> None:
    land(store, network, raw_records(network, failing_history(network, 30, NOW)))
    raised = raise_alerts(store, network, NOW)
    assert {a.kind for a in raised} >= {"sla_breach", "partner_silent", "silent_hold"}
    live = window_parameters(hours=24 * 7, until=NOW + timedelta(minutes=1), sla=network.sla)
    stuck = run_panel(store, "stuck_journeys", live)
    expected = find_stuck(store)
    assert stuck and {r["journey_id"] for r in stuck} == {r["journey_id"] for r in expected}
    assert len(stuck) == len(expected)
    # Each row is one of the journey's open alerts (the oldest; ties in any order).
    open_alerts = {
        (a["journey_id"], a["rule"], a["partner_id"], a["node_id"], a["deadline"])
        for a in find_alerts(store, open_only=True)
    }
    for r in stuck:
        row = (r["journey_id"], r["stage"], r["held_by"], r["node"], jsonable(r)["deadline"])
        assert row in open_alerts, r
    assert all(
        r["stuck_for_s"] >= r["overdue_for_s"] >= 0 for r in stuck if r["why"] == "sla_breach"
    )
    assert all(r["order_number"] for r in stuck)
    by_stage = run_panel(store, "stuck_by_stage", live)
    counts: dict[tuple[str, str], int] = {}
    for r in stuck:
        counts[r["stage"], r["held_by"]] = counts.get((r["stage"], r["held_by"]), 0) + 1
    assert {(r["stage"], r["partner_id"]): r["journeys"] for r in by_stage} == counts

    # Filters: partner, node, stage, and how long they have been stuck.
    one = expected[0]
    for params, wanted in (
        ({"partners": [one["held_by"]]}, find_stuck(store, partner=one["held_by"])),
        ({"node": one["node"]}, find_stuck(store, node=one["node"])),
        ({"stage": one["stage"]}, find_stuck(store, stage=one["stage"])),
        ({"min_age_s": 86400}, find_stuck(store, older_than_s=86400)),
    ):
        rows = run_panel(store, "stuck_journeys", {**live, **params})
        assert {r["journey_id"] for r in rows} == {r["journey_id"] for r in wanted}, params
    assert run_panel(store, "stuck_journeys", {**live, "stage": "' OR 1=1 --"}) == []

    alerts = run_panel(store, "alerts_list", live)
    known = {a["alert_id"]: a for a in find_alerts(store)}
    assert len(alerts) == len(known) <= 500
    assert [jsonable(r)["status"] for r in alerts].count("resolved") == sum(
        a["status"] == "resolved" for a in known.values()
    )
    [overview] = run_panel(store, "alerts_overview", live)
    assert overview["open_alerts"] == sum(
        a["status"] in ("open", "escalated") for a in known.values()
    )
    assert overview["silent_partners"] == sum(
        a["kind"] == "partner_silent" and a["status"] != "resolved" for a in known.values()
    )
    opened = run_panel(store, "alerts_trend", live)
    assert sum(r["alerts"] for r in opened) == len(known)
    resolved = run_panel(store, "alerts_list", {**live, "status": "resolved"})
    assert resolved and {r["status"] for r in resolved} == {"resolved"}
    assert {"stuck_for_s", "overdue_for_s"} <= NOW_COLUMNS


FACT_PANELS = (
    "stage_latency", "stage_latency_trend", "ownership_latency", "sla_attainment",
    "sla_attainment_trend", "promise_on_time", "promise_on_time_trend",
)  # fmt: skip


def legacy_sql(panel: str) -> str:
    """The panel's query as it was, re-deriving every journey's stages at query time."""
    if panel == "promise_on_time":
        return legacy.PROMISE_ON_TIME
    sql = PANELS[panel].sql
    for new, old in ((panels._TRANSITIONS, legacy.TRANSITIONS), (panels._SLA, legacy.SLA)):
        sql = sql.replace(new, old)
    assert sql != PANELS[panel].sql, panel
    return sql


def test_stage_fact_panels_show_what_the_panels_derived_from_the_landed_events(
    store: Store, network: Network
) -> None:
    legacy.install(store)
    land(store, network, raw_records(network, failing_history(network, 60, NOW)))
    raised = raise_alerts(store, network, NOW)
    shown = 0
    for hours in (24 * 7, 24, 6):
        window = window_parameters(hours=hours, until=NOW + timedelta(minutes=1), sla=network.sla)
        for partner in ("", "ups"):
            params = {**window, "partners": [partner] if partner else []}
            for name in FACT_PANELS:
                rows = run_panel(store, name, params)
                used = {k: params[k] for k in PANELS[name].parameters}
                assert rows == store.rows(legacy_sql(name), used), (name, hours, partner)
                assert rows or hours < 24 * 7, name
                shown += len(rows)
    assert shown > 100
    # Filed again (a worker's replay after a restart): the panels count nothing twice.
    params = window_parameters(hours=24 * 7, until=NOW + timedelta(minutes=1), sla=network.sla)
    before = {name: run_panel(store, name, params) for name in FACT_PANELS}
    latest = {a.alert_id: a for a in sorted(raised, key=lambda a: a.version)}
    file_facts(store, network, list(latest.values()))
    assert {name: run_panel(store, name, params) for name in FACT_PANELS} == before
