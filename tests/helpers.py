"""Helpers for tests: simulated raw records, and landing them without Kafka."""

from __future__ import annotations

from collections import defaultdict

from schemas.adapters import FORMATS
from seamscope.network import Network
from sinks.batching import Block
from sinks.clickhouse_sink import ClickHouseSink
from sinks.store import Store
from streams.pipeline import Pipeline
from streams.simulate import Step, ground_truth
from streams.topics import IDENTITY, raw_topic


class Rec:
    """A Kafka record as the pipeline and the sink read it."""

    def __init__(self, topic: str, value: bytes, headers: list[tuple[str, bytes]], offset: int):
        self.topic, self.value, self.headers = topic, value, headers
        self.partition, self.offset, self.timestamp = 0, offset, 1


def raw_records(network: Network, steps: list[Step]) -> list[Rec]:
    """The raw partner payloads of simulated steps, as records of their partners' topics."""
    out: list[Rec] = []
    for s in steps:
        for p in FORMATS[s.partner.format].renderer.render(s.order, s.milestone, s.at):
            headers = [(k, v.encode()) for k, v in p.headers.items()]
            out.append(Rec(raw_topic(s.partner.id), p.value, headers, len(out)))
    return out


def land(
    store: Store, network: Network, records: list[Rec], pipeline: Pipeline | None = None
) -> None:
    """Run raw records through the worker's pipeline and the sink, without Kafka."""
    out = (pipeline or Pipeline(network.contexts)).process(records)
    sink = ClickHouseSink(store, max_rows=10**9)
    by_topic: dict[str, list[Rec]] = {}
    for r in out.records:
        by_topic.setdefault(r.topic, []).append(Rec(r.topic, r.value, [], 0))
    for topic, recs in by_topic.items():
        if topic == IDENTITY:
            continue
        for i, rec in enumerate(recs):
            rec.offset = i
        sink.write(Block(topic, 0, 0, len(recs) - 1, recs))


def expected_events(network: Network, steps: list[Step]) -> dict[str, set[str]]:
    """Ground truth: order number -> the event ids its partners' payloads stand for."""
    by_order: dict[str, set[str]] = defaultdict(set)
    for event_id, orders in ground_truth(network, steps).items():
        for o in orders:
            by_order[o].add(event_id)
    return by_order
