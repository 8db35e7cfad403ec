"""B2's worker stages measured in one process, without Kafka: where the worker's CPU goes.

    python -m bench.stages --orders 8000

The same payloads as B2, in the worker's batch size, through the worker's own code: the
whole pipeline (normalize, then stitch and encode the records to produce), then the SLA
clocks observing what the pipeline produced (alerts and stage facts encoded for sending,
not sent); and each partner format's normalizing on its own. CPU time of this process,
best of a few rounds, each on a fresh pipeline and fresh clocks. Prints one JSON line.

B2's worker CPU per payload less these stages is what the worker spends on Kafka (fetch,
decode, produce, acks), the event loop and its start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bench.run import ROOT, BenchRecord, plan, rendered
from seamscope.network import load_network
from seamscope.runtime import freeze_heap, tune_gc
from seamscope.settings import Settings
from streams.pipeline import Pipeline, normalize_record
from streams.sla_service import SlaService
from streams.worker import CHUNK


class _Timed(Pipeline):
    """The pipeline, keeping the CPU time its batches spend normalizing."""

    normalizing = 0.0

    def _normalize(self, batch: list[Any], now: datetime) -> list[Any]:
        started = time.process_time()
        try:
            return super()._normalize(batch, now)
        finally:
            self.normalizing += time.process_time() - started


class _Encoded:
    """Where the SLA clocks' records go here: they are encoded, and counted."""

    def __init__(self) -> None:
        self.records = 0

    async def send(self, records: Iterable[Any]) -> None:
        self.records += sum(1 for _ in records)


def measure(orders: int, rounds: int) -> dict[str, Any]:
    network = load_network(ROOT / "seamscope.yaml")
    messages = rendered(plan(orders))
    records = [BenchRecord(t, v, h, i) for i, (t, _, v, h) in enumerate(messages)]
    batches = [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)]
    n = len(records)
    tune_gc()
    freeze_heap()  # as the worker does once started: the payloads are not the pipeline's

    def normalize() -> dict[str, float]:
        """CPU seconds of normalizing alone, by partner format (in the batch's topic
        order): each format's own cost, where the pipeline's figure is all formats' in
        the company of stitching."""
        now = datetime.now(UTC)
        spent: dict[str, float] = defaultdict(float)
        for batch in batches:
            by_topic: dict[str, list[BenchRecord]] = defaultdict(list)
            for record in batch:
                by_topic[record.topic].append(record)
            for topic, same in sorted(by_topic.items()):  # as the pipeline orders a batch
                ctx = network.contexts[topic]
                started = time.process_time()
                for record in same:
                    normalize_record(record, ctx, now)
                spent[ctx.partner_format] += time.process_time() - started
        return spent

    async def pipeline_and_clocks() -> tuple[float, float, float, int]:
        pipeline = _Timed(network.contexts)
        settings = Settings(webhook_url="")  # alerts are counted here, never posted
        sla = SlaService(settings, network, pipeline.graph, origin=pipeline.origin)
        sla.sender = _Encoded()  # type: ignore[assignment]
        sla.history_read = True
        sla._restored.set()
        piped = observed = 0.0
        for batch in batches:
            started = time.process_time()
            out = pipeline.process(batch)
            mid = time.process_time()
            await sla.observe_local(out.observed)
            piped += mid - started
            observed += time.process_time() - mid
        return pipeline.normalizing, piped, observed, sla.sender.records  # type: ignore[attr-defined]

    best: dict[str, float] = {}
    formats: dict[str, float] = {}
    sla_records = 0
    for _ in range(rounds):
        spent = normalize()
        normalizing, piped, observed, sent = asyncio.run(pipeline_and_clocks())
        took = {"normalize": normalizing, "stitch_encode": piped - normalizing, "sla": observed}
        if not best or sum(took.values()) < sum(best.values()):
            best, formats, sla_records = took, spent, sent
    payloads: dict[str, int] = defaultdict(int)
    for record in records:
        payloads[network.contexts[record.topic].partner_format] += 1
    return {
        "orders": orders,
        "payloads": n,
        "rounds": rounds,
        **{f"{stage}_us_per_raw": 1e6 * s / n for stage, s in best.items()},
        "sla_records": sla_records,
        # The costliest formats per payload of their own (adapter authors look here).
        "normalize_us_by_format": dict(
            sorted(
                ((f, 1e6 * s / payloads[f]) for f, s in formats.items()),
                key=lambda item: -item[1],
            )
        ),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=8000, help="orders to simulate")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the fastest is kept")
    args = ap.parse_args()
    print(json.dumps(measure(args.orders, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
