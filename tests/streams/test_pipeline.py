"""The worker's batch step without Kafka: events, stitching, and dead letters for bad input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from schemas.adapters import FORMATS
from schemas.canonical import JourneyEvent, identifier_key
from schemas.messages import DeadLetter, IdentityFacts, JourneyMember
from seamscope.network import Network
from sinks.queries import find_journeys
from sinks.store import Store
from streams.pipeline import Pipeline, Seen, file_under, normalize_record
from streams.simulate import Simulator
from streams.topics import DEADLETTER, JOURNEY_EVENTS, JOURNEYS, raw_topic
from tests.helpers import expected_events, land, raw_records

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@dataclass
class Rec:
    topic: str
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    partition: int = 0
    offset: int = 0


def records_for(network: Network, orders: int) -> list[Rec]:
    steps = Simulator(network, seed=3).plan_history(orders, NOW, days=10)
    return [Rec(r.topic, r.value, r.headers, offset=r.offset) for r in raw_records(network, steps)]


def test_newest_first_arrival_still_stitches_one_journey_per_order(
    network: Network, store: Store
) -> None:
    steps = Simulator(network, seed=3).plan_history(6, NOW, days=10)
    truth = expected_events(network, steps)
    land(store, network, list(reversed(raw_records(network, steps))))
    for order_number, event_ids in truth.items():
        (journey,) = find_journeys(store, order_number)
        assert {e["event_id"] for e in journey.events} == event_ids
        assert {e["partner_type"] for e in journey.events} == {
            "marketplace", "warehouse", "carrier"
        }  # fmt: skip


def test_bad_input_becomes_dead_letters_and_the_batch_goes_on(network: Network) -> None:
    good = records_for(network, 1)
    bad = [
        Rec(raw_topic("ups"), b"{not json", offset=7),
        Rec(raw_topic("ups"), None, offset=8),
        Rec("seamscope.raw.stranger", b"{}", offset=9),
    ]
    out = Pipeline(network.contexts, clock=lambda: NOW).process([bad[0], *good, *bad[1:]])
    letters = [
        DeadLetter.model_validate_json(r.value) for r in out.records if r.topic == DEADLETTER
    ]
    assert [(d.source_topic, d.source_offset, d.error_kind) for d in letters] == [
        (raw_topic("ups"), 7, "invalid_payload"),
        (raw_topic("ups"), 8, "invalid_payload"),
        ("seamscope.raw.stranger", 9, "unknown_topic"),
    ]
    assert letters[0].raw == b"{not json"
    assert "not valid JSON" in letters[0].reason
    assert letters[1].reason == "empty payload (no bytes)"
    assert "no partner in the network config reads topic" in letters[2].reason
    assert out.events >= len(good)


def test_a_batch_comes_out_in_arrival_order_whatever_the_partners(network: Network) -> None:
    """Events and dead letters come out in the order their payloads arrived, across
    partners' topics (the batch is normalized a topic at a time, stitched in order)."""
    records = records_for(network, 3)
    records.insert(len(records) // 2, Rec(raw_topic("ups"), b"{not json", offset=10**6))
    arrival = {(r.topic, r.offset): i for i, r in enumerate(records)}
    assert len(arrival) == len(records) and len({r.topic for r in records}) > 3
    out = Pipeline(network.contexts, clock=lambda: NOW).process(records)
    came: list[int] = []
    for r in out.records:
        if r.topic == JOURNEY_EVENTS:
            source = JourneyEvent.model_validate_json(r.value).source
            came.append(arrival[(source.topic, source.offset)])
        elif r.topic == DEADLETTER:
            letter = DeadLetter.model_validate_json(r.value)
            came.append(arrival[(letter.source_topic, letter.source_offset)])
    assert came == sorted(came) and set(came) == set(range(len(records)))


def test_an_adapter_bug_is_a_dead_letter_not_a_crash(network: Network, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(FORMATS["ups"].adapter, "normalize", explode)
    out = Pipeline(network.contexts, clock=lambda: NOW).process([Rec(raw_topic("ups"), b"{}")])
    (letter,) = [DeadLetter.model_validate_json(r.value) for r in out.records]
    assert letter.reason == "adapter error: RuntimeError: boom"


def test_finished_journeys_leave_the_graph_but_stay_findable(
    network: Network, store: Store
) -> None:
    steps = Simulator(network, seed=8).plan_history(8, NOW, days=10)
    truth = expected_events(network, steps)
    pipeline = Pipeline(network.contexts, clock=lambda: NOW, retention=timedelta(hours=1))
    records = raw_records(network, sorted(steps))
    land(store, network, records, pipeline)
    delivered = {s.order.order_number for s in steps if s.milestone.value == "delivered"}
    assert 0 < pipeline.retired <= len(delivered)
    assert pipeline.graph.open_orders == len(truth) - pipeline.retired
    for order_number, event_ids in truth.items():
        (journey,) = find_journeys(store, order_number)
        assert {e["event_id"] for e in journey.events} == event_ids


def test_a_finished_journey_merged_into_another_still_leaves_the_graph(
    network: Network,
) -> None:
    pipeline = Pipeline(network.contexts, clock=lambda: NOW, retention=timedelta(hours=1))
    order = identifier_key("order", "shopify", "1001")
    marketplace = identifier_key("marketplace_order", "shopify", "55")

    def shared(*keys: str) -> bytes:
        return (
            IdentityFacts(facts=[{"keys": list(keys)}], origin="another worker")
            .model_dump_json()
            .encode()
        )  # type: ignore[list-item]

    pipeline.apply_shared([shared(marketplace)], emit=False)
    delivered_as = pipeline.graph.order_journey(marketplace)
    assert delivered_as is not None
    pipeline._track("delivered", NOW - timedelta(hours=3), [delivered_as], ())
    # A late link: the order number is the stronger id, so the journey takes its id.
    pipeline.apply_shared([shared(order, marketplace)], emit=False)
    merged = pipeline.graph.order_journey(order)
    assert merged != delivered_as and merged == pipeline.graph.order_journey(marketplace)
    pipeline._track("picked", NOW, [], ())  # another order's report: time goes on
    out = pipeline.process([])
    assert pipeline.graph.open_orders == 0
    (facts,) = [IdentityFacts.model_validate_json(r.value) for r in out.records]
    assert facts.retire == [merged]


def test_an_event_is_filed_under_its_journey_whatever_its_text_says(network: Network) -> None:
    raw = records_for(network, 1)[0]
    (event,) = normalize_record(raw, network.contexts[raw.topic], NOW)[0].events
    tricky = event.model_copy(update={"description": 'said "journey_id":"" and \\"x\\"'})
    filed = JourneyEvent.model_validate_json(file_under(Seen.of(tricky), "jrn_1"))
    assert filed == tricky.model_copy(update={"journey_id": "jrn_1"})
    again = JourneyEvent.model_validate_json(file_under(Seen.of(filed), "jrn_2"))
    assert again.journey_id == "jrn_2" and again.description == tricky.description


def test_membership_records_are_the_models_json(network: Network) -> None:
    clock = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)
    out = Pipeline(network.contexts, clock=lambda: clock).process(records_for(network, 3))
    members = [r.value for r in out.records if r.topic == JOURNEYS and b'"member"' in r.value]
    assert len(members) == out.members > 0
    for value in members:
        assert JourneyMember.model_validate_json(value).model_dump_json().encode() == value
