"""The identity graph: any arrival order and duplication of the same events gives the same
journeys, and every event ends on its true order(s)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.canonical import Identifier, IdType
from streams.stitch import Facts, IdentityGraph, journey_id_for, orphan_id_for


def key(t: IdType, v: str, issuer: str = "") -> str:
    return Identifier(type=t, value=v, issuer=issuer).key


def order(n: int) -> str:
    return key(IdType.order, f"{100000 + n}")


def mkt(n: int) -> str:
    return key(IdType.marketplace_order, f"M{n}", "shopify")


def jid(n: int) -> str:
    return journey_id_for(order(n))


Event = tuple[str, Facts, frozenset[int]]  # (event id, facts, true orders)


def replay(events: list[Event]) -> dict[str, frozenset[str]]:
    """event id -> final journeys, resolved as the store does: members, then aliases."""
    g = IdentityGraph()
    members: set[tuple[str, str]] = set()
    alias: dict[str, str] = {}
    primary: dict[str, str] = {}
    for event_id, facts, _ in events:
        _, p, derived = g.assign(facts)
        primary.setdefault(event_id, p)
        members |= {(m.journey_id, m.key) for m in derived.members}
        alias.update({a.alias_id: a.journey_id for a in derived.aliases})
    by_key: dict[str, set[str]] = {}
    for j, k in members:
        by_key.setdefault(k, set()).add(alias.get(j, j))
    out = {}
    for event_id, facts, _ in events:
        found = {j for k in facts.keys for j in by_key.get(k, ())}
        out[event_id] = frozenset(found or {primary[event_id]})
    return out


def test_a_carrier_scan_before_its_link_ends_on_the_order() -> None:
    t = key(IdType.tracking_number, "1z999", "ups")
    g = IdentityGraph()
    journeys, primary, _ = g.assign(Facts((t,)))
    assert (journeys, primary) == ([], orphan_id_for(t))
    g.assign(Facts((order(1), mkt(1))))
    journeys, _, derived = g.assign(Facts((mkt(1), key(IdType.fulfillment, "F1", "shopify"), t)))
    assert journeys == [jid(1)]
    assert {(m.journey_id, m.key) for m in derived.members} >= {(jid(1), t)}
    assert g.journeys_of([key(IdType.tracking_number, "1Z999")]) == [jid(1)]


def test_a_stronger_identifier_renames_the_journey_with_an_alias() -> None:
    g = IdentityGraph()
    _, first, _ = g.assign(Facts((mkt(7),)))
    assert first == journey_id_for(mkt(7))
    _, second, derived = g.assign(Facts((order(7), mkt(7))))
    assert second == jid(7)
    assert [(a.alias_id, a.journey_id) for a in derived.aliases] == [(first, jid(7))]


def test_two_order_numbers_on_one_shipment_stay_two_journeys() -> None:
    g = IdentityGraph()
    c = key(IdType.shipment, "C1", "ups")
    g.assign(Facts((order(1), order(2), c)))
    assert g.journeys_of([c]) == sorted([jid(1), jid(2)])
    assert g.journeys_of([order(1)]) == [jid(1)]
    assert g.open_orders == 2


def test_applying_the_same_facts_again_derives_nothing() -> None:
    g = IdentityGraph()
    facts = Facts((order(3), mkt(3), key(IdType.sscc, "S3")))
    g.apply(facts)
    again = g.apply(facts)
    assert (again.aliases, again.members) == ([], [])


@st.composite
def network_events(draw: st.DrawFn) -> list[Event]:
    """Orders with split shipments, relabels and consolidations, as partners report them."""
    events: list[Event] = []

    def add(truth: set[int], *keys: str, links: tuple[tuple[str, str], ...] = ()) -> None:
        events.append((f"e{len(events)}", Facts(tuple(keys), links), frozenset(truth)))

    n_orders = draw(st.integers(1, 5))
    for o in range(n_orders):
        add({o}, order(o), mkt(o))  # placed: both ids of the order
        add({o}, order(o))  # picked
        for p in range(draw(st.integers(1, 3))):  # split shipment: one package each
            sscc = key(IdType.sscc, f"S{o}{p}")
            track = key(IdType.tracking_number, f"T{o}{p}", "ups")
            ful = key(IdType.fulfillment, f"F{o}{p}", "shopify")
            add({o}, order(o), sscc)  # packed
            if draw(st.booleans()):
                add({o}, order(o), sscc, track)  # shipped, by the warehouse
            add({o}, mkt(o), ful, track)  # fulfilment, by the marketplace
            for _ in range(draw(st.integers(0, 3))):
                add({o}, track)  # carrier scans
            if draw(st.booleans()):  # relabel: a new tracking number for the package
                new = key(IdType.tracking_number, f"R{o}{p}", "ups")
                add({o}, new, links=((new, track),))
                add({o}, new)
    if n_orders >= 2 and draw(st.booleans()):  # one shipment carrying two orders
        c = key(IdType.shipment, "C", "fedex")
        add({0, 1}, order(0), order(1), c)
        add({0, 1}, c)
    return events


@settings(max_examples=200, deadline=None)
@given(network_events(), st.randoms(use_true_random=False))
def test_any_arrival_order_and_duplication_gives_the_same_journeys(
    events: list[Event], rnd: random.Random
) -> None:
    expected = {event_id: frozenset(jid(o) for o in truth) for event_id, _, truth in events}
    assert replay(events) == expected
    shuffled = events + rnd.sample(events, len(events) // 2)  # redelivered duplicates
    rnd.shuffle(shuffled)
    assert replay(shuffled) == expected


def replay_shared(
    events: list[Event], owner: list[int], lag: list[int]
) -> dict[str, frozenset[str]]:
    """Two workers, each with its own graph, each seeing the other's facts late.

    Worker ``owner[i]`` processes event i; it has folded in the other worker's facts only
    up to ``lag[i]`` events ago. The union of what both derive must resolve like one graph.
    """
    graphs = [IdentityGraph(), IdentityGraph()]
    published: list[list[Facts]] = [[], []]
    applied = [0, 0]
    members: set[tuple[str, str]] = set()
    alias: dict[str, tuple[int, str]] = {}
    primary: dict[str, str] = {}
    clock = 0

    def collect(derived: object) -> None:
        nonlocal clock
        members.update((m.journey_id, m.key) for m in derived.members)  # type: ignore[attr-defined]
        for a in derived.aliases:  # type: ignore[attr-defined]
            clock += 1
            alias[a.alias_id] = (clock, a.journey_id)

    def catch_up(w: int, upto: int) -> None:
        other = published[1 - w]
        while applied[w] < min(upto, len(other)):
            collect(graphs[w].apply(other[applied[w]]))
            applied[w] += 1

    for (event_id, facts, _), w, behind in zip(events, owner, lag, strict=True):
        catch_up(w, len(published[1 - w]) - behind)
        _, p, derived = graphs[w].assign(facts)
        primary.setdefault(event_id, p)
        collect(derived)
        published[w].append(facts)
    catch_up(0, len(published[1]))
    catch_up(1, len(published[0]))
    final = {old: new for old, (_, new) in alias.items()}
    by_key: dict[str, set[str]] = {}
    for j, k in members:
        by_key.setdefault(k, set()).add(final.get(j, j))
    out = {}
    for event_id, facts, _ in events:
        found = {j for k in facts.keys for j in by_key.get(k, ())}
        out[event_id] = frozenset(found or {primary[event_id]})
    return out


@settings(max_examples=200, deadline=None)
@given(network_events(), st.randoms(use_true_random=False))
def test_two_workers_sharing_facts_late_agree_with_one(
    events: list[Event], rnd: random.Random
) -> None:
    # A chain only a shared graph can close: a unit-only report ties a tracking number to an
    # SSCC, and the order claims the SSCC on the other worker.
    s, t = key(IdType.sscc, "SX"), key(IdType.tracking_number, "TX", "ups")
    events = [*events, ("u1", Facts((s, t)), frozenset({0})), ("u2", Facts((t,)), frozenset({0})),
              ("u3", Facts((order(0), s)), frozenset({0}))]  # fmt: skip
    rnd.shuffle(events)
    expected = {event_id: frozenset(jid(o) for o in truth) for event_id, _, truth in events}
    owner = [rnd.randint(0, 1) for _ in events]
    lag = [rnd.randint(0, 5) for _ in events]
    assert replay_shared(events, owner, lag) == expected


def test_a_retired_journey_frees_its_identifiers_but_not_shared_units() -> None:
    g = IdentityGraph()
    c = key(IdType.shipment, "C1", "ups")
    t1 = key(IdType.tracking_number, "T1", "ups")
    g.assign(Facts((order(1), mkt(1))))
    g.assign(Facts((order(1), key(IdType.sscc, "S1"), t1)))
    g.assign(Facts((order(2),)))
    g.assign(Facts((order(1), order(2), c)))
    assert (g.open_orders, g.keys) == (2, 6)
    assert g.retire(jid(1))
    assert not g.retire(jid(1))
    assert g.open_orders == 1
    assert g.journeys_of([t1, order(1), mkt(1)]) == []
    assert g.journeys_of([c]) == [jid(2)]  # the shared shipment stays with order 2
    assert g.keys == 2
