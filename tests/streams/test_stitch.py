"""The identity graph: any arrival order of the same events gives the same journeys."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.canonical import (
    Identifier,
    IdentifierLink,
    IdType,
    JourneyEvent,
    Milestone,
    Ownership,
    PartnerType,
)
from streams.stitch import Stitcher, journey_id_for

AT = datetime(2026, 11, 1, 12, tzinfo=UTC)


def event(n: int, *ids: Identifier, links: tuple[IdentifierLink, ...] = ()) -> JourneyEvent:
    return JourneyEvent(
        event_id=f"evt_{n}", milestone=Milestone.in_transit, occurred_at=AT, ingested_at=AT,
        partner_id="p", partner_type=PartnerType.carrier, node_id="n",
        ownership=Ownership.partner, identifiers=ids, links=links,
    )  # fmt: skip


def order(v: str) -> Identifier:
    return Identifier(type=IdType.order, value=v)


def tracking(v: str) -> Identifier:
    return Identifier(type=IdType.tracking_number, value=v, issuer="ups")


def sscc(v: str) -> Identifier:
    return Identifier(type=IdType.sscc, value=v)


def final_assignment(events: list[JourneyEvent]) -> dict[str, str]:
    """event id -> final journey id, following the aliases the stitcher reported."""
    s = Stitcher()
    assigned: dict[str, str] = {}
    alias: dict[str, str] = {}
    for e in events:
        jid, aliases = s.assign(e)
        assigned[e.event_id] = jid
        for a in aliases:
            alias[a.alias_id] = a.journey_id
    return {eid: alias.get(j, j) for eid, j in assigned.items()}


def test_carrier_scan_before_the_link_joins_the_order_journey() -> None:
    scan = event(1, tracking("1Z1"))
    placed = event(2, order("1001"))
    link = event(3, order("1001"), sscc("S1"), tracking("1Z1"))
    s = Stitcher()
    j_scan, _ = s.assign(scan)
    j_order, _ = s.assign(placed)
    assert j_scan != j_order
    j_link, aliases = s.assign(link)
    assert j_link == j_order == journey_id_for(order("1001").key)
    assert [(a.alias_id, a.journey_id) for a in aliases] == [(j_scan, j_order)]
    assert len(s) == 1


def test_unrelated_orders_stay_apart() -> None:
    out = final_assignment([event(1, order("1")), event(2, order("2")), event(3, tracking("T"))])
    assert len(set(out.values())) == 3


def test_links_join_identifiers_not_mentioned_together() -> None:
    link = IdentifierLink(child=tracking("T9"), parent=order("9"))
    out = final_assignment([event(1, tracking("T9")), event(2, sscc("X"), links=(link,))])
    assert out["evt_1"] == out["evt_2"] == journey_id_for(order("9").key)


@st.composite
def journeys(draw: st.DrawFn) -> list[JourneyEvent]:
    """Several orders, each reported through a chain of identifiers, with duplicates."""
    events: list[JourneyEvent] = []
    n = 0
    for o in range(draw(st.integers(1, 4))):
        chain = [order(f"O{o}"), sscc(f"S{o}"), tracking(f"T{o}")]
        for _ in range(draw(st.integers(1, 6))):
            i = draw(st.integers(0, len(chain) - 1))
            j = draw(st.integers(i, min(i + 1, len(chain) - 1)))
            n += 1
            events.append(event(n, *{chain[i], chain[j]}))
        events.append(event(n + 1000, *chain))  # the full link always arrives at some point
    return events


@settings(max_examples=150, deadline=None)
@given(journeys(), st.randoms(use_true_random=False))
def test_any_arrival_order_and_duplication_gives_the_same_journeys(
    events: list[JourneyEvent], rnd: object
) -> None:
    expected = final_assignment(events)
    shuffled = list(events) + events[: len(events) // 2]  # redelivered duplicates
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert final_assignment(shuffled) == expected
    for e in events:  # every event sits on its own order's journey
        order_no = e.identifiers[0].value[1:]
        assert expected[e.event_id] == journey_id_for(order(f"O{order_no}").key)
