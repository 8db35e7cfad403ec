"""SLA clocks: breaches when deadlines pass, silent partners, roll-ups, no duplicates."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from schemas.canonical import Milestone, identifier_key
from seamscope.network import Network, NetworkConfigError, parse_network
from seamscope.settings import Settings
from streams import sla_store
from streams.pipeline import Pipeline, Seen, file_under
from streams.simulate import Disorder, Simulator, Step
from streams.sla import Observation, SlaEngine, StageFact
from streams.sla_service import SlaService
from streams.stitch import Facts, IdentityGraph, journey_id_for
from streams.topics import ALERTS, IDENTITY, JOURNEY_EVENTS, STAGE_FACTS
from tests.helpers import Rec, raw_records

T0 = datetime(2026, 11, 17, 15, tzinfo=UTC)  # Tue 10:00 in New York

NETWORK = """
nodes:
  - {id: shop, type: marketplace, ownership: partner}
  - id: dc
    type: warehouse
    ownership: owned
    timezone: America/New_York
    calendar: {cutoff: "14:00", hours: "08:00-20:00"}
  - {id: tpl, type: warehouse, ownership: partner}
  - {id: ups-net, type: carrier, ownership: partner}
partners:
  - {id: shopify, type: marketplace, format: shopify, node: shop}
  - {id: wms, type: warehouse, format: epcis, node: dc}
  - {id: tpl, type: warehouse, format: epcis, node: tpl}
  - {id: ups, type: carrier, format: ups, node: ups-net, carrier: ups}
sla:
  stages:
    - {id: pick_pack, start: order_placed, end: [packed], holder: warehouse, within: 4h}
    - {id: pickup, start: handed_off, end: [picked_up, in_transit], holder: carrier,
       within: 2h, working_time: false}
  overrides:
    - {stage: pick_pack, partner: tpl, within: 8h}
  silence: 12h
  silence_overrides: {ups: 3h}
  rollup: 3
  group_wait: 1m
  escalate_after: 6h
"""


@pytest.fixture
def network() -> Network:
    return parse_network(NETWORK)


@pytest.fixture(autouse=True, params=["unpacked", "packed"])
def journeys_kept(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs twice: journeys kept as objects, and packed after every engine
    call (what most of a million open journeys are), so packing can lose nothing any
    test looks at."""
    if request.param == "packed":
        monkeypatch.setattr(sla_store, "HOT_JOURNEYS", 0)


def obs(j: str, milestone: str, at: datetime, partner: str = "shopify") -> Observation:
    kinds = {"shopify": ("marketplace", "shop"), "wms": ("warehouse", "dc"),
             "tpl": ("warehouse", "tpl"), "ups": ("carrier", "ups-net")}  # fmt: skip
    kind, node = kinds[partner]
    return Observation((j,), milestone, at, partner, kind, node)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


EVERY_STATUS = ("open", "escalated", "resolved")


def breaches(e: SlaEngine) -> list[tuple[str, str, str]]:
    """Open or escalated breaches as (journey, rule, status)."""
    return sorted((a.journey_id, a.rule, a.status) for a in e.alerts() if a.kind == "sla_breach")


def test_a_breach_opens_when_the_deadline_passes_with_no_further_event(network: Network) -> None:
    e = SlaEngine(network)
    e.observe(obs("j1", "order_placed", T0), T0)
    e.observe(obs("j1", "picked", h(1), "wms"), h(1))
    e.tick(h(3.9))
    assert breaches(e) == []
    (breach,) = [a for a in e.tick(h(4.1)) if a.kind == "sla_breach"]
    assert (breach.journey_id, breach.rule, breach.partner_id, breach.node_id) == (
        "j1", "pick_pack", "wms", "dc"
    )  # fmt: skip
    assert breach.deadline == h(4) and breach.since == T0 and breach.last_milestone == "picked"
    e.tick(h(4.2))
    e.tick(h(4.3))
    assert breaches(e) == [("j1", "pick_pack", "open")]  # one alert per journey and rule
    (resolved,) = e.observe(obs("j1", "packed", h(5), "wms"), h(5))
    assert (resolved.alert_id, resolved.status) == (breach.alert_id, "resolved")
    assert breaches(e) == []


def test_cutoff_and_working_hours_move_the_deadline(network: Network) -> None:
    e = SlaEngine(network)
    late = datetime(2026, 11, 17, 20, tzinfo=UTC)  # 15:00 in New York, after the cut-off
    e.observe(obs("j1", "order_placed", late), late)
    e.observe(obs("j1", "picked", late + timedelta(minutes=5), "wms"), late)
    # Work starts Wed 08:00 local (13:00 UTC); 4 working hours later is 17:00 UTC.
    e.tick(datetime(2026, 11, 18, 16, 59, tzinfo=UTC))
    assert breaches(e) == []
    opened = e.tick(datetime(2026, 11, 18, 17, 1, tzinfo=UTC))
    assert [a.deadline for a in opened] == [datetime(2026, 11, 18, 17, tzinfo=UTC)]


def test_a_partner_override_applies_to_its_journeys(network: Network) -> None:
    e = SlaEngine(network)
    e.observe(obs("j1", "order_placed", T0), T0)
    e.observe(obs("j1", "picked", h(1), "tpl"), h(1))
    e.tick(h(7.9))
    assert breaches(e) == []
    assert [a.deadline for a in e.tick(h(8.1)) if a.kind == "sla_breach"] == [h(8)]


def test_cancelled_orders_raise_nothing(network: Network) -> None:
    e = SlaEngine(network)
    e.observe(obs("j1", "order_placed", T0), T0)
    e.observe(obs("j1", "order_cancelled", h(0.5)), h(0.5))
    e.tick(h(10))
    assert breaches(e) == []


def test_finished_journeys_are_forgotten_once_quiet_for_the_retention(network: Network) -> None:
    e = SlaEngine(network, retention=timedelta(days=1))
    e.observe(obs("delivered", "order_placed", T0), T0)
    e.observe(obs("delivered", "delivered", h(2), "ups"), h(2))
    e.observe(obs("late", "order_placed", T0), T0)
    e.observe(obs("late", "order_cancelled", h(1)), h(1))
    e.observe(obs("open", "order_placed", T0), T0)
    e.observe(obs("open", "packed", h(1), "wms"), h(1))
    e.tick(h(20))
    # A late report on a cancelled order: it stays a day after that report.
    e.observe(obs("late", "exception", h(23), "wms"), h(23))
    e.tick(h(27))
    assert (e.knows("delivered"), e.knows("late"), e.knows("open")) == (False, True, True)
    assert e.forgotten == 1
    # The warehouse fell silent (last heard at h23) as "late" is forgotten: it holds
    # only the open journey now.
    silent = [a.journey_id for a in e.tick(h(48)) if a.kind == "silent_hold"]
    assert (e.knows("late"), e.knows("open"), e.open_journeys) == (False, True, 1)
    assert silent == ["open"]


def test_a_forgotten_journey_takes_its_breaches_with_it(network: Network) -> None:
    e = SlaEngine(network, retention=timedelta(days=1))
    for j in ("late", "unended"):
        e.observe(obs(j, "order_placed", T0), T0)
        e.observe(obs(j, "picked", h(1), "wms"), h(1))
    e.tick(h(4.1))
    e.observe(obs("late", "packed", h(5), "wms"), h(5))  # its breach resolves
    for j in ("late", "unended"):  # delivered: "unended" never reported packed
        e.observe(obs(j, "delivered", h(6), "ups"), h(6))
    assert breaches(e) == [("unended", "pick_pack", "open")] and e.alerts_held == 2
    # Forgotten a day after delivery: the breach nothing can end any more is resolved,
    # and neither breach stays in memory.
    changed = e.tick(h(31))
    assert [(a.journey_id, a.status) for a in changed] == [("unended", "resolved")]
    assert (e.knows("late"), e.knows("unended"), e.alerts_held) == (False, False, 0)


def test_a_silent_partner_is_one_alert_plus_a_record_per_journey_it_holds(
    network: Network,
) -> None:
    e = SlaEngine(network)
    for j in ("j1", "j2"):
        e.observe(obs(j, "order_placed", T0), T0)
        e.observe(obs(j, "handed_off", h(1), "wms"), h(1))
        e.observe(obs(j, "picked_up", h(1.5), "ups"), h(1.5))
        e.observe(obs(j, "packed", h(0.5), "wms"), h(1.5))
    # Journeys the carrier holds but that are over hold nothing up: one delivered, one
    # cancelled (the cancellation reported late, so the carrier spoke last).
    e.observe(obs("j3", "picked_up", h(1), "ups"), h(1))
    e.observe(obs("j3", "delivered", h(1.2), "ups"), h(1.2))
    e.observe(obs("j4", "order_cancelled", h(0.2)), h(1.3))
    e.observe(obs("j4", "picked_up", h(1.4), "ups"), h(1.4))
    changed = e.tick(h(4.6))
    assert sorted((a.kind, a.journey_id) for a in changed) == [
        ("partner_silent", ""), ("silent_hold", "j1"), ("silent_hold", "j2")
    ]  # fmt: skip
    partner_alert = next(a for a in changed if a.kind == "partner_silent")
    assert (partner_alert.partner_id, partner_alert.journeys) == ("ups", 2)
    assert e.tick(h(5)) == []
    # The warehouse reports on j2 meanwhile: j2 is the warehouse's now, and its hold
    # resolves with the others when the carrier speaks again.
    e.observe(obs("j2", "exception", h(4.8), "wms"), h(4.8))
    resolved = e.observe(obs("j1", "in_transit", h(5.5), "ups"), h(5.5))
    assert sorted((a.kind, a.journey_id, a.status) for a in resolved) == [
        ("partner_silent", "", "resolved"), ("silent_hold", "j1", "resolved"),
        ("silent_hold", "j2", "resolved"),
    ]  # fmt: skip
    # Only the partner's own alert stays in memory: the holds are over for good.
    assert [a.kind for a in e.alerts(EVERY_STATUS)] == ["partner_silent"]


def test_a_silence_restored_after_a_restart_outlives_the_replay_of_history(
    network: Network,
) -> None:
    events = [obs("j1", "order_placed", T0), obs("j1", "handed_off", h(0.5), "wms"),
              obs("j1", "picked_up", h(1), "ups")]  # fmt: skip
    first = SlaEngine(network)
    for o in events:
        first.observe(o, o.occurred_at)
    silent = first.tick(h(4.1))  # ups has said nothing for 3 hours
    assert {"partner_silent", "silent_hold"} <= {a.kind for a in silent}
    again = SlaEngine(network)
    again.restore(silent)
    again.replaying = True
    # The carrier's old scan, replayed, is not the carrier speaking again.
    assert [a for o in events for a in again.observe(o, h(5))] == []
    again.replaying = False
    assert [a.kind for a in again.tick(h(5.1)) if a.kind != "sla_breach"] == []
    # It escalates 6 hours after it opened before the restart, not after it.
    escalated = [a.kind for a in again.tick(h(10.2))]
    assert "partner_silent" in escalated
    heard = again.observe(obs("j1", "in_transit", h(10.5), "ups"), h(10.5))
    assert sorted((a.kind, a.status) for a in heard if a.kind != "sla_breach") == [
        ("partner_silent", "resolved"), ("silent_hold", "resolved")
    ]  # fmt: skip


def test_many_breaches_of_one_stage_page_as_one_incident(network: Network) -> None:
    e = SlaEngine(network)
    for i in range(5):
        j = f"j{i}"
        e.observe(obs(j, "order_placed", T0), T0)
        e.observe(obs(j, "handed_off", h(1), "wms"), h(1))
    first = e.tick(h(3.1))
    breaches = [a for a in first if a.rule == "pickup"]
    assert len(breaches) == 5 and not any(a.paged for a in breaches)
    grouped = e.tick(h(3.2))
    incidents = [a for a in grouped if a.kind == "incident"]
    assert len(incidents) == 1 and incidents[0].journeys == 5 and incidents[0].paged
    members = [a for a in grouped if a.kind == "sla_breach"]
    assert {a.incident_id for a in members} == {incidents[0].alert_id}
    assert not any(a.paged for a in members)
    for i in range(5):
        e.observe(obs(f"j{i}", "in_transit", h(4), "ups"), h(4))
    assert [a.status for a in e.tick(h(4.1)) if a.kind == "incident"] == ["resolved"]
    # The breaches stay with their journeys (whose clocks they tell): each journey's
    # pickup, resolved, and pick_pack, open since h4. The incident, over, is not kept.
    assert sorted({a.kind for a in e.alerts(EVERY_STATUS)}) == ["sla_breach"]
    assert e.alerts_held == 10


def test_a_restart_with_restored_alerts_raises_nothing_twice(network: Network) -> None:
    events = [obs("j1", "order_placed", T0), obs("j1", "picked", h(1), "wms")]
    first = SlaEngine(network)
    for o in events:
        first.observe(o, o.occurred_at)
    raised = first.tick(h(5)) + first.tick(h(6))
    assert [(a.kind, a.paged) for a in raised] == [("sla_breach", False), ("sla_breach", True)]

    again = SlaEngine(network)
    again.restore(first.alerts())
    again.replaying = True
    for o in events:
        assert again.observe(o, h(6)) == []
    again.replaying = False
    assert again.tick(h(6.5)) == []


def test_an_alert_open_longer_than_escalate_after_escalates_once(network: Network) -> None:
    e = SlaEngine(network)
    for j in ("j1", "j2"):
        e.observe(obs(j, "order_placed", T0), T0)
        e.observe(obs(j, "picked", h(1), "wms"), h(1))
    e.tick(h(4.1))  # both breach pick_pack
    e.tick(h(4.2))  # and page
    e.observe(obs("j2", "packed", h(5), "wms"), h(5))  # j2's resolves
    restored = SlaEngine(network)
    restored.restore(e.alerts())
    assert e.tick(h(10.05)) == []  # open 5.95 hours
    for engine in (e, restored):  # a restart does not reset the time it has been open
        escalated = engine.tick(h(10.2))
        assert [(a.journey_id, a.status) for a in escalated] == [("j1", "escalated")]
        assert engine.tick(h(11)) == []
        assert breaches(engine) == [("j1", "pick_pack", "escalated")]


def test_a_restart_keeps_only_the_alerts_that_can_still_change(network: Network) -> None:
    first = SlaEngine(network)
    events = [
        *(o for j in ("j1", "j2", "j3")
          for o in (obs(j, "order_placed", T0), obs(j, "packed", h(0.5), "wms"),
                    obs(j, "handed_off", h(1), "wms"))),
        obs("j4", "order_placed", T0), obs("j4", "picked", h(1), "wms"),
    ]  # fmt: skip
    published: dict[str, Any] = {}  # the alerts topic: the latest of each alert
    for o in events:
        first.observe(o, o.occurred_at)
    for at in (h(3.1), h(3.2), h(4.1)):  # pickup breaches, their incident; j4's pick_pack
        published |= {a.alert_id: a for a in first.tick(at)}
    moved_on = [obs(j, "in_transit", h(4.2), "ups") for j in ("j1", "j2", "j3")]
    for o in moved_on:
        published |= {a.alert_id: a for a in first.observe(o, h(4.2))}
    published |= {a.alert_id: a for a in first.tick(h(4.3))}
    assert sorted((a.kind, a.status) for a in published.values()) == [
        ("incident", "resolved"), ("sla_breach", "open"),
        *[("sla_breach", "resolved")] * 3,
    ]  # fmt: skip

    again = SlaEngine(network, retention=timedelta(minutes=30))
    again.restore(list(published.values()))
    assert again.alerts_held == 4  # the incident is over: not read back
    again.replaying = True
    for o in events + moved_on:  # j1 was finished and forgotten before the restart
        if o.journeys != ("j1",):
            again.observe(o, h(5))
    # An event clock before any event is at the earliest time: nothing is old yet.
    assert again.forget_settled(datetime.min.replace(tzinfo=UTC)) == 0
    # j1's breach, resolved at h4.2, is older than the retention and no journey refers
    # to it; the others belong to journeys the replay brought back.
    assert again.forget_settled(h(5)) == 1
    assert sorted((a.journey_id, a.status) for a in again.alerts(EVERY_STATUS)) == [
        ("j2", "resolved"), ("j3", "resolved"), ("j4", "open"),
    ]  # fmt: skip
    again.replaying = False
    assert again.tick(h(5.1)) == []


def test_an_id_forgotten_or_merged_away_starts_afresh_when_reported_again(
    network: Network,
) -> None:
    e = SlaEngine(network, retention=timedelta(days=1))
    for j in ("j", "old", "new"):
        e.observe(obs(j, "order_placed", T0), T0)
        e.observe(obs(j, "picked", h(1), "wms"), h(1))
    e.tick(h(4.1))
    e.observe(obs("j", "delivered", h(6), "ups"), h(6))  # never reported packed
    e.merge("old", "new", h(6))  # its breach is new's
    e.tick(h(31))  # j forgotten, its open breach resolved
    assert breaches(e) == [("new", "pick_pack", "escalated")]
    e.observe(obs("j", "order_placed", h(40)), h(40))
    e.observe(obs("old", "order_placed", h(40)), h(40))
    opened = [a for a in e.tick(h(44.1)) if a.kind == "sla_breach"]
    assert sorted((a.journey_id, a.status) for a in opened) == [
        ("j", "open"), ("old", "open")
    ]  # fmt: skip


def test_a_restart_publishes_nothing_again_for_alerts_already_settled(
    network: Network,
) -> None:
    day = timedelta(days=1)
    first = SlaEngine(network, retention=day)
    forgotten = [obs("f", "order_placed", T0), obs("f", "picked", h(1), "wms"),
                 obs("f", "delivered", h(6), "ups")]  # fmt: skip
    late = [obs("late", "order_placed", T0), obs("late", "picked", h(1), "wms"),
            obs("late", "packed", h(5), "wms")]  # fmt: skip
    merged = [obs("old", "order_placed", T0), obs("old", "picked", h(1), "wms"),
              obs("new", "order_placed", T0), obs("new", "packed", h(2), "wms"),
              obs("old", "packed", h(5), "wms")]  # fmt: skip
    published: dict[str, Any] = {}
    for o in forgotten[:2] + late[:2] + merged[:4]:
        first.observe(o, o.occurred_at)
    published |= {a.alert_id: a for a in first.tick(h(4.1))}
    for o, at in ((forgotten[2], h(6)), (merged[4], h(6)), (late[2], h(20))):
        published |= {a.alert_id: a for a in first.observe(o, at)}
    published |= {a.alert_id: a for a in first.merge("old", "new", h(6))}
    published |= {a.alert_id: a for a in first.tick(h(31))}  # f forgotten: resolved
    assert sorted((a.journey_id, a.status) for a in published.values()
                  if a.kind == "sla_breach") == [
        ("f", "resolved"), ("late", "resolved"), ("old", "resolved")
    ]  # fmt: skip

    # A restart: the history still holds every event, but late's arrive only after it
    # is replayed (orphans waiting for their link).
    again = SlaEngine(network, retention=day)
    again.restore(list(published.values()))
    again.replaying = True
    for o in forgotten + merged:
        again.observe(o, h(32))
    again.merge("old", "new", h(32))
    # Nothing is older than the retention yet; old's breach is filed under new.
    assert again.forget_settled(h(32)) == 0
    again.replaying = False
    changed = again.tick(h(32.1))
    for o in late:
        changed += again.observe(o, h(32.2))
    changed += again.tick(h(32.3))
    again.observe(obs("new", "handed_off", h(33), "wms"), h(33))
    assert again.stage_facts("new")
    assert [a for a in changed if a.kind == "sla_breach"] == []


def test_an_incident_resolves_when_its_members_resolve_or_are_forgotten(
    network: Network,
) -> None:
    e = SlaEngine(network, retention=timedelta(days=1))
    for i in range(3):
        e.observe(obs(f"j{i}", "order_placed", T0), T0)
        e.observe(obs(f"j{i}", "picked", h(1), "wms"), h(1))
    e.tick(h(4.1))
    (incident,) = [a for a in e.tick(h(4.2)) if a.kind == "incident"]
    e.observe(obs("j0", "delivered", h(5), "ups"), h(5))  # never reported packed
    e.tick(h(29.1))  # j0 forgotten with its breach
    e.observe(obs("j0", "order_placed", h(30)), h(30))  # the id again: a new journey
    e.tick(h(34.1))  # that breaches again, outside the incident
    for j in ("j1", "j2"):
        e.observe(obs(j, "packed", h(35), "wms"), h(35))
    resolved = [a for a in e.tick(h(35.1)) if a.kind == "incident"]
    assert [(a.alert_id, a.status) for a in resolved] == [(incident.alert_id, "resolved")]
    assert breaches(e) == [("j0", "pick_pack", "open")]


def test_backfill_on_event_time_finds_the_breaches_of_the_live_run(network: Network) -> None:
    rnd = random.Random(4)
    events = []
    for i in range(40):
        j, start = f"j{i}", T0 + timedelta(minutes=rnd.randint(0, 600))
        events.append(obs(j, "order_placed", start))
        pack = start + timedelta(hours=rnd.uniform(0.5, 6))
        events.append(obs(j, "picked", pack - timedelta(minutes=20), "tpl"))
        if rnd.random() < 0.7:
            events.append(obs(j, "packed", pack, "tpl"))
    events.sort(key=lambda o: o.occurred_at)
    end = events[-1].occurred_at + timedelta(hours=12)

    def breached(engine: SlaEngine) -> set[str]:
        return {a.journey_id for a in engine.alerts(("open", "escalated", "resolved"))
                if a.kind == "sla_breach"}  # fmt: skip

    live = SlaEngine(network)
    for o in events:
        live.tick(o.occurred_at)
        live.observe(o, o.occurred_at)
    live.tick(end)

    lateness = timedelta(hours=2)
    backfill = SlaEngine(network)
    shuffled = sorted(events, key=lambda o: o.occurred_at + timedelta(minutes=rnd.randint(0, 90)))
    watermark = T0
    for o in shuffled:
        watermark = max(watermark, o.occurred_at)
        backfill.observe(o, watermark - lateness)
        backfill.tick(watermark - lateness)
    backfill.tick(end)
    assert breached(backfill) == breached(live) and breached(live)


def test_sla_rules_are_validated_with_every_problem_named() -> None:
    broken = NETWORK.replace("{stage: pick_pack, partner: tpl, within: 8h}",
                             "{stage: packing, partner: nobody, within: soon}")  # fmt: skip
    with pytest.raises(NetworkConfigError) as err:
        parse_network(broken)
    text = "\n".join(err.value.problems)
    assert "expected a duration like 90m, 24h or 2d, got 'soon'" in text


def test_a_promised_date_from_the_marketplace_sets_the_promise_deadline() -> None:
    network = parse_network(
        NETWORK.replace(
            "  overrides:",
            "    - {id: promise, start: order_placed, end: [delivered], holder: carrier,\n"
            "       within: 7d, working_time: false, promise: true}\n  overrides:",
        )
    )
    e = SlaEngine(network)
    promised = h(30)
    placed = Observation(("j1",), "order_placed", T0, "shopify", "marketplace", "shop",
                         promised_by=promised)  # fmt: skip
    e.observe(placed, T0)
    e.observe(obs("j1", "packed", h(1), "wms"), h(1))
    e.tick(h(29.9))
    assert [r for r in breaches(e) if r[1] == "promise"] == []
    opened = [a for a in e.tick(h(30.1)) if a.rule == "promise"]
    assert [a.deadline for a in opened] == [promised]


AMAZON_2026 = (
    "amazon_sp_api/api_sandbox_response_examples/orders_2026-01-01__getOrder__200__sandbox1.json"
)
WALMART_ORDERS = "walmart/us_mp_openapi_examples/orders__getAllOrders__200__example.json"


@pytest.mark.parametrize(
    ("fmt", "body", "promises"),
    [
        ("amazon_sp_api",  # Orders API v0: LatestDeliveryDate
         {"payload": {"AmazonOrderId": "902-3159896-1390916", "PurchaseDate":
          "2026-11-01T10:00:00Z", "OrderStatus": "Unshipped",
          "LatestDeliveryDate": "2026-11-07T23:59:59Z"}},
         ["2026-11-07T23:59:59+00:00"]),
        ("amazon_sp_api", AMAZON_2026, ["2024-12-31T23:59:59+00:00"]),  # deliverByWindow
        ("walmart", WALMART_ORDERS,  # shippingInfo.estimatedDeliveryDate, per order
         ["2019-09-25T19:00:00+00:00", "2019-09-19T19:00:00+00:00",
          "2019-09-19T19:00:00+00:00", "2019-09-18T19:00:00+00:00",
          "2019-09-18T19:00:00+00:00", "2019-09-06T19:00:00+00:00",
          "2019-09-05T19:00:00+00:00", "2019-09-05T19:00:00+00:00",
          "2019-08-29T19:00:00+00:00", "2019-08-15T19:00:00+00:00"]),
    ],
    ids=["amazon-v0", "amazon-2026", "walmart"],
)  # fmt: skip
def test_marketplace_orders_carry_the_delivery_they_promised(
    fmt: str, body: dict[str, Any] | str, promises: list[str]
) -> None:
    """Every event of an order carries the delivery date the marketplace promised, so the
    promise stage's clock runs to it (real payloads, where the fixture has one)."""
    from schemas.adapters import FORMATS
    from schemas.adapters.base import PartnerContext, RawMessage
    from schemas.canonical import Ownership, PartnerType
    from tests.conftest import SHARED_FIXTURES

    raw = json.dumps(body).encode() if isinstance(body, dict) else (
        SHARED_FIXTURES / body).read_bytes()  # fmt: skip
    ctx = PartnerContext(fmt, PartnerType.marketplace, f"{fmt}-marketplace", Ownership.partner,
                         fmt)  # fmt: skip
    result = FORMATS[fmt].adapter.normalize(RawMessage(raw), ctx, datetime(2026, 11, 2, tzinfo=UTC))
    assert result.problems == []
    by_order: dict[str, set[str]] = {}
    for e in result.events:
        order = min(i.key for i in e.identifiers)
        by_order.setdefault(order, set()).add(e.promised_by.isoformat() if e.promised_by else "")
    assert all(len(p) == 1 for p in by_order.values())  # one promise per order
    assert sorted(p for (p,) in by_order.values()) == sorted(promises)


def test_an_unreadable_promise_is_a_problem_and_the_events_still_come() -> None:
    from schemas.adapters import FORMATS
    from schemas.adapters.base import PartnerContext, RawMessage
    from schemas.canonical import Ownership, PartnerType
    from tests.conftest import SHARED_FIXTURES

    body = json.loads((SHARED_FIXTURES / WALMART_ORDERS).read_bytes())
    order = body["list"]["elements"]["order"][0]
    order["shippingInfo"]["estimatedDeliveryDate"] = "next week"
    ctx = PartnerContext("walmart", PartnerType.marketplace, "walmart-marketplace",
                         Ownership.partner, "walmart")  # fmt: skip
    result = FORMATS["walmart"].adapter.normalize(
        RawMessage(json.dumps(order).encode()), ctx, datetime(2026, 11, 2, tzinfo=UTC)
    )
    assert result.events and all(e.promised_by is None for e in result.events)
    assert len(result.problems) == 1
    assert "shippingInfo.estimatedDeliveryDate" in result.problems[0]
    assert "next week" in result.problems[0]


def facts(e: SlaEngine) -> list[tuple[str, str, str, datetime, bool]]:
    """The facts emitted since last asked: (journey, kind, stage, at, deleted)."""
    return [(f.journey_id, f.kind, f.stage, f.at, f.deleted) for f in e.take_facts()]


def test_a_latency_stage_is_a_fact_once_both_its_ends_are_reached(network: Network) -> None:
    e = SlaEngine(network)
    e.observe(obs("j1", "order_placed", T0), T0)
    assert facts(e) == []
    e.observe(obs("j1", "picked", h(1.5), "wms"), h(1.5))
    (fact,) = [f for f in e.take_facts() if f.kind == "latency"]
    assert fact == StageFact(
        "j1", "latency", "order_placed → picked", 1, h(1.5), T0, from_partner="shopify",
        partner_id="wms", node_id="dc", ownership="owned", handoff=True, seconds=5400,
        version=fact.version,
    )  # fmt: skip
    e.observe(obs("j1", "packed", h(2), "wms"), h(2))
    latency, sla = sorted(e.take_facts(), key=lambda f: f.kind)
    assert (latency.stage, latency.handoff, latency.seconds) == ("picked → packed", False, 1800)
    assert (sla.kind, sla.stage, sla.ended, sla.missed, sla.at) == ("sla", "pick_pack", 1, 0, h(2))
    assert (sla.partner_id, sla.node_id, sla.deadline) == ("wms", "dc", None)  # met: none
    assert sla.version > latency.version - 1 > fact.version - 1


def test_sla_outcomes_follow_the_breaches_the_engine_raised(network: Network) -> None:
    e = SlaEngine(network)
    for j in ("late", "stuck", "cancelled"):
        e.observe(obs(j, "order_placed", T0), T0)
        e.observe(obs(j, "picked", h(1), "wms"), h(1))
    e.observe(obs("cancelled", "order_cancelled", h(2)), h(2))
    e.take_facts()
    e.tick(h(4.5))
    stuck = {f.journey_id: f for f in e.take_facts() if f.kind == "sla"}
    assert sorted(stuck) == ["late", "stuck"]  # a cancelled journey raises nothing
    assert (stuck["stuck"].missed, stuck["stuck"].ended, stuck["stuck"].at) == (1, 0, h(4))
    assert stuck["stuck"].partner_id == "wms"
    e.observe(obs("late", "packed", h(5), "wms"), h(5))
    [moved, late] = [f for f in e.take_facts() if f.kind == "sla"]
    # decided when it ended, not at the deadline any more: withdrawn from there
    assert (moved.at, moved.deleted) == (h(4), True)
    assert (late.at, late.ended, late.missed, late.deleted) == (h(5), 1, 1, False)
    assert late.version == moved.version


def test_an_earlier_report_moves_a_fact_and_withdraws_the_old_one(network: Network) -> None:
    e = SlaEngine(network)
    e.observe(obs("j1", "order_placed", T0), T0)
    e.observe(obs("j1", "picked", h(3), "wms"), h(3))
    (first,) = e.take_facts()
    e.observe(obs("j1", "picked", h(3), "tpl"), h(3))  # not earlier: nothing changes
    assert facts(e) == []
    e.observe(obs("j1", "picked", h(2), "tpl"), h(3))
    old, new = e.take_facts()
    assert (old.at, old.deleted, new.at, new.deleted) == (h(3), True, h(2), False)
    assert (new.partner_id, new.seconds) == ("tpl", 7200)
    assert new.version > first.version and old.version == new.version


def test_replaying_the_same_history_emits_the_same_facts(network: Network) -> None:
    history = [
        obs("j1", "order_placed", T0), obs("j1", "picked", h(1), "wms"),
        obs("j1", "packed", h(6), "wms"), obs("j1", "handed_off", h(7), "wms"),
        obs("j1", "picked_up", h(8), "ups"), obs("j2", "order_placed", h(1)),
    ]  # fmt: skip
    live = SlaEngine(network)
    for o in history:
        live.tick(o.occurred_at)
        live.observe(o, o.occurred_at)
    live.tick(h(12))
    published = live.take_facts()
    # A restart: alerts restored, the history replayed without raising anything.
    again = SlaEngine(network)
    again.restore(live.alerts(("open", "escalated", "resolved")))
    again.replaying = True
    for o in random.Random(4).sample(history, len(history)):
        again.observe(o, h(12))
    replayed = again.take_facts()

    def latest(fs: list[StageFact]) -> dict[tuple[str, str, str, datetime], StageFact]:
        """The facts as the store keeps them: the newest version per key, withdrawn gone."""
        out: dict[tuple[str, str, str, datetime], StageFact] = {}
        for f in sorted(fs, key=lambda f: f.version):
            out[(f.journey_id, f.kind, f.stage, f.at)] = f
        return {k: replace(f, version=0) for k, f in out.items() if not f.deleted}

    assert latest(replayed) == latest(published)
    assert {(k[1], k[2]) for k in latest(published)} == {
        ("latency", "order_placed → picked"), ("latency", "picked → packed"),
        ("latency", "packed → handed_off"), ("latency", "handed_off → picked_up"),
        ("sla", "pick_pack"), ("sla", "pickup"),
    }  # fmt: skip
    assert next(f for f in again.stage_facts("j1") if f.stage == "pick_pack").missed


def _history(seed: int) -> list[Observation]:
    """Sixty journeys' reports in a shuffled order: some earlier again, some promised (some
    of those twice), some cancelled."""
    rng = random.Random(seed)
    path = [("order_placed", "shopify"), ("picked", "wms"), ("packed", "tpl"),
            ("handed_off", "wms"), ("picked_up", "ups"), ("in_transit", "ups"),
            ("delivered", "ups")]  # fmt: skip
    history = []
    for n in range(60):
        steps = path[: rng.randint(1, len(path))]
        times = sorted(h(rng.uniform(0, 12)) for _ in steps)
        history += [obs(f"j{n}", m, at, p) for (m, p), at in zip(steps, times, strict=True)]
        if n % 7 == 0:
            history.append(replace(history[-1], occurred_at=times[-1] - timedelta(hours=1)))
        if n % 5 == 0:
            history.append(replace(history[-1], promised_by=h(rng.uniform(6, 20))))
            if n % 10 == 0:  # the marketplace repeats its promise on a later update
                later = history[-1].occurred_at + timedelta(minutes=5)
                history.append(replace(history[-1], occurred_at=later))
        if n % 6 == 0:
            history.append(obs(f"j{n}", "order_cancelled", h(rng.uniform(2, 14))))
    rng.shuffle(history)
    return history


def _play(e: SlaEngine, history: list[Observation]) -> list[StageFact]:
    """Observe the history a step apart, ticking before each step and merging two journeys
    now and then; every fact emitted."""
    emitted = []
    for i, o in enumerate(history):
        now = h(i * 14 / len(history))
        e.tick(now)
        e.observe(o, now)
        if i % 50 == 49:
            e.merge(f"j{i % 60}", f"j{(i + 1) % 60}", now)
        emitted += e.take_facts()
    e.tick(h(20))
    return emitted + e.take_facts()


class _EveryClock(SlaEngine):
    """The engine as it was: every event looks at all of its journeys' clocks."""

    def _evaluate(  # type: ignore[override]
        self, jid: str, j: Any, now: datetime, schedule: bool, only: frozenset[int] | None = None
    ) -> list[Any]:
        return super()._evaluate(jid, j, now, schedule)


def test_the_facts_emitted_as_journeys_move_add_up_to_their_stage_facts(
    network: Network,
) -> None:
    """Whatever order reports, breaches, promises and merges come in, the facts emitted
    along the way (newest version per key, withdrawn gone) are what a full derivation of
    every journey gives at the end: an event re-derives only its milestone's facts."""
    e = SlaEngine(network)
    emitted = _play(e, _history(7))
    filed: dict[tuple[str, str, str, datetime], StageFact] = {}
    for f in sorted(emitted, key=lambda f: f.version):
        filed[(f.journey_id, f.kind, f.stage, f.at)] = replace(f, version=0)
    derived = [f for n in range(60) for f in e.stage_facts(f"j{n}")]
    assert sorted(
        (f for f in filed.values() if not f.deleted),
        key=lambda f: (f.journey_id, f.stage_no, f.kind),
    ) == sorted(derived, key=lambda f: (f.journey_id, f.stage_no, f.kind))
    assert sum(f.kind == "sla" and f.missed for f in derived) > 5  # breaches were part of it


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_looking_only_at_the_clocks_an_event_can_move_raises_the_same_alerts(
    network: Network, seed: int
) -> None:
    history = _history(seed)
    fast, every = SlaEngine(network), _EveryClock(network)
    _play(fast, history)
    _play(every, history)

    def outcome(e: SlaEngine) -> list[tuple[Any, ...]]:
        return sorted(
            (a.alert_id, a.kind, a.status, a.partner_id, a.node_id, a.deadline, a.resolved_at)
            for a in e.alerts(("open", "escalated", "resolved"))
        )

    assert outcome(fast) == outcome(every)
    assert len(outcome(fast)) > 10
    assert all(fast.deadlines(f"j{n}") == every.deadlines(f"j{n}") for n in range(60))


def test_a_merged_journey_brings_its_progress_and_withdraws_its_facts(network: Network) -> None:
    e = SlaEngine(network)
    e.observe(obs("old", "order_placed", T0), T0)
    e.observe(obs("old", "picked", h(1), "wms"), h(1))
    (filed,) = [f for f in e.take_facts() if f.kind == "latency"]
    e.observe(obs("new", "packed", h(2), "wms"), h(2))
    e.take_facts()
    e.merge("old", "new", h(2))
    withdrawn = [(f.journey_id, f.stage, f.at) for f in e.facts if f.deleted]
    assert withdrawn == [("old", filed.stage, filed.at)]
    now = {(f.kind, f.stage): f for f in e.take_facts() if not f.deleted}
    assert set(now) == {
        ("latency", "order_placed → picked"), ("latency", "picked → packed"),
        ("sla", "pick_pack"),
    }  # fmt: skip
    assert {f.journey_id for f in now.values()} == {"new"}
    assert not e.knows("old") and e.deadlines("new") == {"pick_pack": h(4)}
    e.tick(h(5))
    assert breaches(e) == []  # the old id's clock went with it: nothing stuck


def test_a_merge_of_two_breached_ids_leaves_one_breach(network: Network) -> None:
    e = SlaEngine(network)
    for j in ("old", "new"):
        e.observe(obs(j, "order_placed", T0), T0)
        e.observe(obs(j, "picked", h(1), "wms"), h(1))
    e.tick(h(4.1))
    assert breaches(e) == [("new", "pick_pack", "open"), ("old", "pick_pack", "open")]
    # One order under two ids: the alias's breach is the same breach.
    changed = e.merge("old", "new", h(5))
    assert [(a.journey_id, a.status) for a in changed] == [("old", "resolved")]
    assert breaches(e) == [("new", "pick_pack", "open")] and e.alerts_held == 1
    (resolved,) = e.observe(obs("new", "packed", h(6), "wms"), h(6))
    assert (resolved.journey_id, resolved.status) == ("new", "resolved")


def _report(milestone: str, at: datetime, partner: str, *ids: tuple[str, str]) -> Seen:
    """A partner's event as the SLA clocks see it (the worker's own, or as another's
    identity facts carry it), its identity facts folded into the service's graph first
    (as the worker does)."""
    kind, node = {"shopify": ("marketplace", "shop"), "wms": ("warehouse", "dc")}[partner]
    idents = [(t, "shopify" if t != "order" else "", v) for t, v in ids]
    keys = tuple(dict.fromkeys(identifier_key(*i) for i in idents))
    return Seen(b"", keys, (), milestone, at, at, (), partner, kind, node, "", None,
                tuple((t, issuer) for t, issuer, _ in idents))  # fmt: skip


def _fold(graph: IdentityGraph, event: Seen) -> None:
    graph.apply(Facts(event.keys))


def test_the_sla_service_follows_a_merge_of_two_ids_of_one_order(network: Network) -> None:
    graph = IdentityGraph()
    service = SlaService(Settings(sla_clock="event"), network, graph)

    def report(milestone: str, at: datetime, partner: str, *ids: tuple[str, str]) -> None:
        event = _report(milestone, at, partner, *ids)
        _fold(graph, event)
        service._observe(event)

    # The marketplace's order id first, on its own; the warehouse ties it to the order number.
    report("order_placed", T0, "shopify", ("marketplace_order", "M1"))
    report("picked", h(1), "wms", ("order", "1001"), ("marketplace_order", "M1"))
    [journey] = graph.journeys_of([identifier_key("order", "", "1001")])
    assert journey != journey_id_for(identifier_key("marketplace_order", "shopify", "M1"))
    facts = [f for f in service.engine.take_facts() if not f.deleted]
    assert [(f.journey_id, f.stage, f.seconds) for f in facts] == [
        (journey, "order_placed → picked", 3600)
    ]
    assert service.engine.open_journeys == 1


def test_a_breach_of_an_id_merged_away_before_a_restart_still_resolves(
    network: Network,
) -> None:
    """The marketplace's order id breaches on its own, then the warehouse ties it to the
    order number (its journey merges into the order's) and the service restarts. The
    rebuilt graph files the whole history under the order's journey: the breach restored
    under the merged-away id must still end when the order is packed."""
    history = [
        _report("order_placed", T0, "shopify", ("marketplace_order", "M1")),
        _report("picked", h(1), "wms", ("marketplace_order", "M1")),
    ]
    graph = IdentityGraph()
    first = SlaService(Settings(sla_clock="event"), network, graph)
    first.engine.replaying = False  # (history read: breaches open)
    for e in history:
        _fold(graph, e)
        first._observe(e)
    (opened,) = [a for a in first.engine.tick(h(5)) if a.kind == "sla_breach"]
    tie = _report("picked", h(5.5), "wms", ("order", "1001"),
                  ("marketplace_order", "M1"))  # fmt: skip
    history.append(tie)
    _fold(graph, tie)
    first._observe(tie)
    [order] = graph.journeys_of([identifier_key("order", "", "1001")])
    assert order != opened.journey_id  # merged: the breach is the order's now

    rebuilt = IdentityGraph()
    for e in history:
        _fold(rebuilt, e)
    again = SlaService(Settings(sla_clock="event"), network, rebuilt)
    again.engine.restore(first.engine.alerts(EVERY_STATUS))
    again.engine.replaying = True
    for e in history:
        assert [a for a in again._observe(e) if a.status != "resolved"] == []
    again.engine.replaying = False
    packed = _report("packed", h(6), "wms", ("order", "1001"))
    _fold(rebuilt, packed)
    changed = again._observe(packed)
    assert [(a.alert_id, a.status) for a in changed if a.kind == "sla_breach"] == [
        (opened.alert_id, "resolved")
    ]
    assert breaches(again.engine) == []


def test_an_orphan_is_observed_when_a_link_claims_it_and_let_go_after_six_hours(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A carrier scan whose tracking number no journey holds yet waits, not looked at
    again until the identity graph files one of its identifiers under a journey; then it
    is observed at once. One no journey ever claims is let go after six hours."""
    graph = IdentityGraph()
    service = SlaService(Settings(sla_clock="event"), network, graph)
    looked: list[tuple[str, ...]] = []
    journeys_of = graph.journeys_of
    monkeypatch.setattr(graph, "journeys_of", lambda keys: looked.append(keys) or journeys_of(keys))

    def scan(number: str) -> Seen:
        return Seen(b"", (identifier_key("tracking_number", "ups", number),), (), "picked_up",
                    h(3), h(3), (), "ups", "carrier", "ups-net", "partner", None,
                    (("tracking_number", "ups"),))  # fmt: skip

    service._observe(scan("1Z1"))
    service._observe(scan("1Z1"))  # a second scan of the same parcel
    service._observe(scan("1Z2"))
    assert len(looked) == 3 and service.engine.open_journeys == 0
    unrelated = graph.apply(Facts((identifier_key("order", "", "1000"),)))
    assert service._claim(m.key for m in unrelated.members) == []
    assert len(looked) == 3  # nothing looked at again: no journey holds 1Z1 or 1Z2

    order = identifier_key("order", "", "1001")
    derived = graph.apply(Facts((order, identifier_key("tracking_number", "ups", "1Z1"))))
    service._claim(m.key for m in derived.members)
    assert len(looked) == 5  # the two scans of 1Z1, looked at once more each
    (journey,) = graph.journeys_of([order])
    assert service.engine.knows(journey)
    assert [o.e.keys for o in service._orphans_by_age.values()] == [
        (identifier_key("tracking_number", "ups", "1Z2"),)
    ]

    service._forget_orphans(datetime.now(UTC) - timedelta(hours=6))
    assert service.orphans  # not six hours yet
    service._forget_orphans(datetime.now(UTC) + timedelta(seconds=1))
    assert not service.orphans and not service._orphans_by_age


class _Kept:
    """Where a service's alerts and stage facts go in these tests: kept, decoded."""

    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    async def send(self, records: Any) -> None:
        self.records.extend((topic, orjson.loads(value)) for topic, _, value in records)


def _observed_in_batches(
    network: Network, steps: list[Step], at_once: bool, read: bool = False, shared: bool = False
) -> SlaService:
    """The worker's pipeline and SLA service on simulated raw payloads, 100 to a batch,
    the clocks ticking between batches; each batch's events observed together, or each
    event on its own: as this process's pipeline hands them over, or (``read``) as the
    history is read from Kafka on a start; or (``shared``) the clocks of another worker,
    which get the events from the identity facts the pipeline publishes."""
    pipeline = Pipeline(network.contexts, clock=lambda: h(80))
    reader = Pipeline(network.contexts, clock=lambda: h(80)) if shared else pipeline
    service = SlaService(Settings(sla_clock="event"), network, reader.graph)
    service.sender = _Kept()  # type: ignore[assignment]
    service.history_read = True
    records = raw_records(network, steps)

    async def run() -> None:
        service._restored.set()
        for first in range(0, len(records), 100):
            out = pipeline.process(records[first : first + 100])
            if shared:
                facts = [r.value for r in out.records if r.topic == IDENTITY]
                out = reader.apply_shared(facts, emit=True)
            for part in [out.observed] if at_once else [[one] for one in out.observed]:
                if read:
                    events = [Rec(JOURNEY_EVENTS, file_under(e, "j"), [], 0) for e in part]
                    await service._publish(service.observe_records(events))
                else:
                    await service.observe_local(part)
            await service.observe_local([], out.claimed)  # as the worker hands them over
            assert not service._catching_up()
            await service._publish(service.engine.tick(service.now()))

    asyncio.run(run())
    return service


def _stored(service: SlaService, topic: str, key: tuple[str, ...]) -> dict[Any, Any]:
    """What the store keeps of a topic's records: the newest version of each key."""
    newest: dict[Any, dict[str, Any]] = {}
    for t, r in service.sender.records:  # type: ignore[attr-defined]
        k = tuple(r[f] for f in key) if t == topic else ()
        if k and (k not in newest or r["version"] > newest[k]["version"]):
            newest[k] = r
    return newest


def _stored_facts(service: SlaService) -> dict[Any, Any]:
    kept = _stored(service, STAGE_FACTS, ("journey_id", "kind", "stage", "at"))
    return {k: {**f, "version": 0} for k, f in kept.items() if not f["deleted"]}


def _stored_alerts(service: SlaService) -> dict[str, tuple[Any, ...]]:
    fields = ("kind", "status", "rule", "partner_id", "deadline", "opened_at", "resolved_at")
    return {aid: tuple(a[f] for f in fields)
            for aid, a in _stored(service, ALERTS, ("alert_id",)).items()}  # fmt: skip


def _disorderly(network: Network) -> list[Step]:
    """120 orders split, relabelled, cancelled and reported out of order; a tenth of the
    parcels never reach their carrier, so those journeys' breaches stay open."""
    disorder = Disorder(split_rate=0.4, relabel_rate=0.3, cancel_rate=0.1)
    steps = Simulator(network, seed=11).plan_disorder(120, h(80), disorder, days=3)
    lost = {s.order.order_number for s in steps[::10]}
    carried = {Milestone.picked_up, Milestone.in_transit, Milestone.out_for_delivery,
               Milestone.delivered}  # fmt: skip
    return [s for s in steps if s.order.order_number not in lost or s.milestone not in carried]


def test_another_workers_clocks_fed_by_its_identity_facts_end_as_its_own(
    network: Network,
) -> None:
    """A worker's clocks get another worker's events from the identity facts it publishes
    (what the clocks read of each event, no journey id: the reader's own graph files them)
    and end with the same stage facts and alerts as the clocks of the worker that stitched
    them."""
    steps = _disorderly(network)
    own = _observed_in_batches(network, steps, at_once=True)
    other = _observed_in_batches(network, steps, at_once=True, shared=True)
    assert _stored_facts(other) == _stored_facts(own)
    assert _stored_alerts(other) == _stored_alerts(own)
    assert {a[1] for a in _stored_alerts(own).values()} == {"open", "resolved"}


@pytest.mark.parametrize("read", [False, True], ids=["local", "read"])
def test_a_batch_observed_at_once_sets_the_clocks_and_facts_its_events_one_by_one_do(
    network: Network, read: bool
) -> None:
    """The worker hands the clocks a whole batch; a journey several of its events move is
    looked at once, after the last. Orders split, relabelled, cancelled and reported out of
    order end with the same stage facts in the store as when every event is looked at on
    its own, with fewer records published, and the same breaches but for one kind: looked
    at on its own, a stage's end reported after its deadline raises a breach (already over)
    even when an earlier end of it comes later in the same batch; looked at once, the
    earliest end counts, and there is no breach."""
    steps = _disorderly(network)
    one_by_one = _observed_in_batches(network, steps, at_once=False, read=read)
    at_once = _observed_in_batches(network, steps, at_once=True, read=read)
    assert _stored_facts(at_once) == _stored_facts(one_by_one)
    assert {k[1] for k in _stored_facts(one_by_one)} == {"latency", "sla"}
    kept, raised = _stored_alerts(at_once), _stored_alerts(one_by_one)
    assert {a[1] for a in raised.values() if a[0] == "sla_breach"} == {"open", "resolved"}
    # The same alerts, with the same deadlines and holders (times stamped differ: under the
    # event clock, a batch looked at once is stamped at its end).
    assert {aid: a[:5] for aid, a in kept.items()} == {aid: raised[aid][:5] for aid in kept}
    extra = [a for aid, a in raised.items() if aid not in kept]
    assert all(a[0] == "sla_breach" and a[1] == "resolved" and a[5] == a[6] for a in extra)
    sent = [len(s.sender.records) for s in (at_once, one_by_one)]  # type: ignore[attr-defined]
    assert sent[0] < sent[1]
