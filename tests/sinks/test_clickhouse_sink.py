"""The sink's rows on the real chDB engine: what lands is what the canonical event says."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdType,
    JourneyEvent,
    Lineage,
    Milestone,
    Ownership,
    PartnerType,
)
from seamscope.network import Network
from sinks.batching import Block
from sinks.clickhouse_sink import ClickHouseSink
from sinks.migrate import migrate
from sinks.store import Store
from streams.pipeline import Pipeline
from streams.simulate import Disorder, Simulator
from streams.sla import Alert, StageFact
from streams.topics import ALERTS, DEADLETTER, JOURNEY_EVENTS, STAGE_FACTS
from tests.helpers import raw_records

pytestmark = pytest.mark.e2e

AT = datetime(2026, 11, 20, 8, 15, 30, 123_999, tzinfo=UTC)


@dataclass
class Rec:
    topic: str
    partition: int
    offset: int
    value: bytes | None
    timestamp: int = 1000


def utc(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Times as UTC-aware datetimes (chDB may return DateTime64('UTC') without the zone)."""
    return [
        {k: v.replace(tzinfo=UTC) if isinstance(v, datetime) and not v.tzinfo else v
         for k, v in r.items()}
        for r in rows
    ]  # fmt: skip


def block(topic: str, values: list[bytes | None], first: int = 0) -> Block:
    recs = [Rec(topic, 0, first + i, v) for i, v in enumerate(values)]
    return Block(topic, 0, first, first + len(values) - 1, recs)


def test_an_event_lands_as_it_was_reported(store: Store) -> None:
    event = JourneyEvent(
        event_id="evt_1", journey_id="jrn_1", milestone=Milestone.delivery_failed,
        raw_status="X1", description="Receiver not available",
        occurred_at=AT, reported_at=AT + timedelta(minutes=2),
        ingested_at=AT + timedelta(minutes=5, microseconds=1), partner_id="ups",
        partner_type=PartnerType.carrier, node_id="ups-network", ownership=Ownership.partner,
        identifiers=(
            Identifier(type=IdType.tracking_number, value="1z 999 aa1"),
            Identifier(type=IdType.fulfillment, value="F-7", issuer="shopify"),
        ),
        exception=ExceptionInfo(reason="consignee_not_available", responsible="consignee"),
        location="Leeds, GB", quality_flags=("very_late",),
        source=Lineage(topic="seamscope.raw.ups", partition=2, offset=41, partner_format="ups"),
    )  # fmt: skip
    payload = event.model_dump_json().encode()
    ClickHouseSink(store, 100).write(block(JOURNEY_EVENTS, [payload]))

    row = utc(
        store.rows(
            "SELECT event_id, journey_id, milestone, raw_status, occurred_at, reported_at, "
            "ingested_at, identifier_keys, identifier_values, exception_reason, "
            "exception_responsible, location, quality_flags, source_topic, source_partition, "
            "source_offset, partner_format, payload FROM journey_events"
        )
    )
    # DateTime64(3) keeps milliseconds, rounded down: .123999 -> .123, .124000 -> .124
    ms = timedelta(microseconds=AT.microsecond % 1000)
    ingested = AT - ms + timedelta(minutes=5, milliseconds=1)
    assert row == [{
        "event_id": "evt_1", "journey_id": "jrn_1", "milestone": "delivery_failed",
        "raw_status": "X1", "occurred_at": AT - ms, "reported_at": AT - ms + timedelta(minutes=2),
        "ingested_at": ingested,
        "identifier_keys": ["tracking_number::1Z999AA1", "fulfillment:shopify:F-7"],
        "identifier_values": ["1z 999 aa1", "F-7"], "exception_reason": "consignee_not_available",
        "exception_responsible": "consignee", "location": "Leeds, GB",
        "quality_flags": ["very_late"], "source_topic": "seamscope.raw.ups",
        "source_partition": 2, "source_offset": 41, "partner_format": "ups",
        "payload": payload.decode(),
    }]  # fmt: skip
    idents = utc(
        store.rows(
            "SELECT id_value, id_type, issuer, id_key, journey_id, event_id, partner_id, "
            "occurred_at, ingested_at FROM identifiers ORDER BY id_type"
        )
    )
    common = {"journey_id": "jrn_1", "event_id": "evt_1", "partner_id": "ups",
              "occurred_at": AT - ms, "ingested_at": ingested}  # fmt: skip
    assert idents == [
        {"id_value": "F-7", "id_type": "fulfillment", "issuer": "shopify",
         "id_key": "fulfillment:shopify:F-7", **common},
        {"id_value": "1z 999 aa1", "id_type": "tracking_number", "issuer": "",
         "id_key": "tracking_number::1Z999AA1", **common},
    ]  # fmt: skip


def dead_letter(offset: int) -> bytes:
    return json.dumps({
        "dead_letter_id": f"dl_{offset}", "partner_id": "ups", "partner_format": "ups",
        "source_topic": "seamscope.raw.ups", "source_partition": 0, "source_offset": offset,
        "reason": "not JSON", "error_kind": "invalid_payload",
        "raw_b64": base64.b64encode(b"<html>").decode(), "headers": {"x": "1"},
        "failed_at": "2026-11-20T08:00:00.250+00:00",
    }).encode()  # fmt: skip


def test_a_block_with_unreadable_records_lands_every_row_once(store: Store) -> None:
    # A dead-letter block holding a readable letter and a record the sink cannot read:
    # both become dead-letter rows (the second under its own token), and writing the same
    # block again (a retry) adds nothing.
    sink = ClickHouseSink(store, 100)
    dead_block = block(DEADLETTER, [dead_letter(7), b"{not json", None], first=10)
    events_block = block(JOURNEY_EVENTS, [b'{"event_id": "evt_x"}'], first=3)
    # An alert without the time its table requires: unreadable, not an insert that fails.
    unstamped = Alert(alert_id="alr_x", kind="sla_breach", status="open", rule="r",
                      partner_id="ups", node_id="ups-network")  # fmt: skip
    alerts_block = block(ALERTS, [orjson.dumps(unstamped)], first=5)
    for _ in range(2):
        sink.write(dead_block)
        sink.write(events_block)
        sink.write(alerts_block)

    rows = utc(
        store.rows(
            "SELECT dead_letter_id, source_topic, source_offset, error_kind, raw, failed_at "
            "FROM dead_letters ORDER BY source_topic, source_offset"
        )
    )
    assert [(r["source_topic"], r["source_offset"], r["error_kind"]) for r in rows] == [
        (ALERTS, 5, "sink_unreadable"),
        (DEADLETTER, 11, "sink_unreadable"),
        (DEADLETTER, 12, "sink_unreadable"),
        (JOURNEY_EVENTS, 3, "sink_unreadable"),
        ("seamscope.raw.ups", 7, "invalid_payload"),
    ]
    assert rows[-1]["raw"] == "<html>"
    assert rows[-1]["failed_at"] == datetime(2026, 11, 20, 8, 0, 0, 250_000, tzinfo=UTC)
    assert store.rows("SELECT count() AS n FROM journey_events")[0]["n"] == 0


def test_stage_facts_land_once_however_often_they_are_published(store: Store) -> None:
    """Retries, replays and moved facts: the table read with FINAL keeps each fact once,
    at its latest time, and none of the ones withdrawn."""
    late = StageFact(
        "jrn_a", "sla", "pick_pack", 1, AT + timedelta(hours=30), AT, from_partner="shopify",
        partner_id="wms", node_id="dc", ownership="owned", ended=True, missed=True,
        deadline=AT + timedelta(hours=24), version=5,
    )  # fmt: skip
    stuck = replace(late, at=AT + timedelta(hours=24), ended=False, version=3)
    latency = StageFact(
        "jrn_a", "latency", "picked → packed", 2, AT + timedelta(hours=2), AT,
        from_partner="wms", partner_id="wms", node_id="dc", ownership="owned", seconds=7200,
        version=4,
    )  # fmt: skip
    withdrawn = replace(stuck, version=5, deleted=True)

    def payloads(*facts: StageFact) -> list[bytes | None]:
        return [orjson.dumps(f) for f in facts]  # as the SLA service publishes them

    sink = ClickHouseSink(store, 100)
    first = block(STAGE_FACTS, payloads(stuck, latency))
    sink.write(first)
    sink.write(first)  # a retry of the same block
    sink.write(block(STAGE_FACTS, payloads(withdrawn, late), first=2))
    # the worker restarted: its replay publishes the same facts again, newer versions
    again = [replace(latency, version=9), replace(late, version=9)]
    sink.write(block(STAGE_FACTS, payloads(*again), first=4))
    rows = utc(store.rows(
        "SELECT journey_id, kind, stage, at, ended, missed, seconds, deadline, version "
        "FROM journey_stages FINAL ORDER BY kind, stage"
    ))  # fmt: skip
    assert [(r["kind"], r["stage"], r["at"], r["ended"], r["missed"], r["version"])
            for r in rows] == [
        ("latency", "picked → packed", AT.replace(microsecond=123_000) + timedelta(hours=2),
         0, 0, 9),
        ("sla", "pick_pack", AT.replace(microsecond=123_000) + timedelta(hours=30), 1, 1, 9),
    ]  # fmt: skip
    assert rows[1]["deadline"] == AT.replace(microsecond=123_000) + timedelta(hours=24)


@pytest.fixture
def own(store: Store) -> Iterator[Store]:
    """A second database beside ``store``, for the sink's own reading to land in."""
    other = Store(store.url, database=f"{store.database}_own")
    migrate(other)
    yield other
    other.command(f"DROP DATABASE IF EXISTS `{other.database}`")


class _Watched(ClickHouseSink):
    """The sink, noting whether the store's views landed each block of events."""

    def __init__(self, store: Store, max_rows: int) -> None:
        super().__init__(store, max_rows)
        self.landed: list[bool] = []

    def _land_lines(self, table: str, blocks: Sequence[Block], token: str) -> bool:
        self.landed.append(super()._land_lines(table, blocks, token))
        return self.landed[-1]


class _OneByOne(ClickHouseSink):
    """The sink reading every record into rows itself."""

    def _land_lines(self, table: str, blocks: Sequence[Block], token: str) -> bool:
        return False


def _event_json(**changes: object) -> bytes:
    """A canonical event's JSON with fields changed (None: the field left out)."""
    e = orjson.loads(
        JourneyEvent(
            event_id="evt_e", journey_id="jrn_e", milestone=Milestone.in_transit,
            occurred_at=AT, ingested_at=AT, partner_id="dhl", partner_type=PartnerType.carrier,
            node_id="dhl-network", ownership=Ownership.partner,
            identifiers=(Identifier(type=IdType.tracking_number, value="1"),),
        ).model_dump_json()
    )  # fmt: skip
    for field, value in changes.items():
        if value is None:
            e.pop(field, None)
        else:
            e[field] = value
    return orjson.dumps(e)


#: Canonical events as other producers might write them: the sink reads them as it reads
#: the worker's own.
UNUSUAL = [
    _event_json(event_id="evt_u1", occurred_at="2026-11-20T08:15:30.123999+05:30",
                reported_at=None, ingested_at="2026-11-20T09:00:00Z"),
    _event_json(event_id="evt_u2", occurred_at="2026-11-20T08:15:30", source=None,
                quality_flags=None, exception={"reason": "damaged", "responsible": "carrier"},
                description='a "quoted"\nsecond line, and ünïcode'),
    _event_json(event_id="evt_u3", identifiers=[
        {"type": "tracking_number", "value": "1z 999 aa1", "issuer": "ups"},
        {"type": "sscc", "value": "00 3 4"}, {"type": "order", "value": "a-1", "issuer": ""},
        {"type": "marketplace_order", "value": "x 1", "issuer": "amazon"},
        {"type": "package", "value": "ß-1", "issuer": "dhl"},
    ], reported_at="2026-11-20T08:16:00.5-03:00", exception=None),
    _event_json(event_id="evt_u4", identifiers=[], location="Leeds, GB"),
]  # fmt: skip

# (FINAL: a partner's redelivered report is one event, however often it landed)
_ALL_EVENTS = "SELECT * EXCEPT landed_at FROM journey_events FINAL ORDER BY event_id"
_ALL_IDS = "SELECT * FROM identifiers FINAL ORDER BY event_id, id_key"


def test_the_stores_views_land_events_as_the_sinks_own_reading_does(
    store: Store, own: Store, network: Network
) -> None:
    """The store's views make of the events' JSON exactly the rows the sink's own reading
    makes, for every partner format's events, disorder, and unusual but readable JSON."""
    steps = Simulator(network, seed=5).plan_disorder(40, datetime.now(UTC), Disorder())
    out = Pipeline(network.contexts).process(raw_records(network, steps))
    values = [r.value for r in out.records if r.topic == JOURNEY_EVENTS] + UNUSUAL
    assert len({orjson.loads(v)["source"]["partner_format"] for v in values[:-4]}) >= 15
    viewed = _Watched(store, 10_000)
    for first in range(0, len(values), 100):  # several blocks, as the sink writes them
        viewed.write(block(JOURNEY_EVENTS, values[first : first + 100], first=first))
    assert viewed.landed and all(viewed.landed)
    counted = (
        "SELECT (SELECT count() FROM journey_events) AS e, (SELECT count() FROM identifiers) AS i"
    )
    landed = store.rows(counted)
    viewed.write(block(JOURNEY_EVENTS, values[:100]))  # a retry of the first block
    assert store.rows(counted) == landed

    _OneByOne(own, 10_000).write(block(JOURNEY_EVENTS, values))
    assert len(read := own.rows(_ALL_EVENTS)) == len({orjson.loads(v)["event_id"] for v in values})
    assert store.rows(_ALL_EVENTS) == read
    assert store.rows(_ALL_IDS) == own.rows(_ALL_IDS)


def test_events_the_views_cannot_read_are_read_one_by_one_and_land_once(
    store: Store,
) -> None:
    """A block holding an unreadable event, one spread over lines, and a tracking number
    ClickHouse would upper-case otherwise: every readable event lands, once, as the sink
    reads it; the unreadable one is a dead letter; a retry adds nothing."""
    good = [_event_json(event_id=f"evt_g{i}") for i in range(3)]
    spread = orjson.dumps(orjson.loads(_event_json(event_id="evt_s")), option=orjson.OPT_INDENT_2)
    eszett = _event_json(event_id="evt_z", identifiers=[
        {"type": "tracking_number", "value": "straße 1", "issuer": "dhl"}])  # fmt: skip
    cases = {
        "unreadable": [*good, _event_json(event_id="evt_bad", occurred_at="soon")],
        "spread": [*good, spread],
        "eszett": [*good, eszett],
    }
    for n, (case, values) in enumerate(cases.items(), 1):
        sink = _Watched(store, 100)
        for _ in range(2):
            sink.write(block(JOURNEY_EVENTS, values, first=100 * n))
        assert sink.landed == [False, False], case
        landed = store.rows("SELECT event_id, count() AS n FROM journey_events GROUP BY event_id")
        assert sorted((r["event_id"], r["n"]) for r in landed) == sorted(
            [(f"evt_g{i}", 1) for i in range(3)]
            + [("evt_s", 1)] * (case == "spread")
            + [("evt_z", 1)] * (case == "eszett")
        ), case
        store.command("TRUNCATE TABLE journey_events")
    keys = store.rows("SELECT id_key FROM identifiers WHERE event_id = 'evt_z'")
    assert keys == [{"id_key": "tracking_number::STRASSE1"}]
    dead = store.rows("SELECT source_offset, error_kind FROM dead_letters")
    assert dead == [{"source_offset": 103, "error_kind": "sink_unreadable"}]


def test_the_stores_view_lands_stage_facts_as_the_sinks_own_reading_does(
    store: Store, own: Store
) -> None:
    """Every column of a stage fact, as the view makes it and as the sink's own reading
    does; a fact missing a value makes the block be read record by record."""
    base = StageFact(
        "jrn_f", "latency", "picked → packed", 2, AT + timedelta(hours=2), AT,
        from_partner="wms", partner_id="wms", node_id="dc", ownership="owned", seconds=7200,
        promise=True, promised=True, version=1795412056530245126, deleted=True,
    )  # fmt: skip
    # Each flag set in a pattern of its own across the three, so no two can be swapped.
    facts = [
        base,
        replace(base, kind="sla", stage="pick_pack", stage_no=1, handoff=True, ended=True,
                promised=False, deadline=AT + timedelta(hours=1), deleted=False),
        replace(base, journey_id="jrn_g", at=AT.replace(tzinfo=None), seconds=-5, ended=True,
                missed=True, promise=False, deleted=False),
    ]  # fmt: skip
    values = [orjson.dumps(f) for f in facts]
    query = "SELECT * FROM journey_stages ORDER BY journey_id, kind"
    viewed = _Watched(store, 100)
    viewed.write(block(STAGE_FACTS, values))
    viewed.write(block(STAGE_FACTS, values))  # a retry
    assert viewed.landed == [True, True]
    _OneByOne(own, 100).write(block(STAGE_FACTS, values))
    assert store.rows(query) == own.rows(query)
    assert len(own.rows(query)) == 3

    missing = orjson.loads(values[0])
    del missing["ownership"]
    viewed.write(block(STAGE_FACTS, [orjson.dumps(replace(base, journey_id="jrn_h")),
                                      orjson.dumps(missing)], first=10))  # fmt: skip
    assert viewed.landed[-1] is False
    assert [r["journey_id"] for r in store.rows(query)] == ["jrn_f", "jrn_f", "jrn_g", "jrn_h"]
    dead = store.rows("SELECT source_offset, error_kind FROM dead_letters")
    assert dead == [{"source_offset": 11, "error_kind": "sink_unreadable"}]
