"""B6: worker memory for N open journeys: the identity graph and the SLA clocks.

    python -m bench.memory --journeys 100000

Each journey gets the identifiers a real one has (order number, marketplace order id,
fulfilment, SSCC, tracking number) through the reports that tie them together, and the
SLA engine sees it placed, packed and handed to a carrier (clocks running, not
delivered: open). The SLA engine keeps its default number of journeys unpacked
(``SEAMSCOPE_SLA_HOT_JOURNEYS``) and packs the rest. Prints one JSON line: RSS before and
after, and build time.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from schemas.canonical import Identifier, IdType
from seamscope.network import load_network
from streams.sla import Observation, SlaEngine
from streams.stitch import Facts, IdentityGraph

ROOT = Path(__file__).resolve().parents[1]


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def key(t: IdType, v: str, issuer: str = "") -> str:
    return Identifier(type=t, value=v, issuer=issuer).key


def build(graph: IdentityGraph, sla: SlaEngine, n: int) -> None:
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    path = (
        ("order_placed", "shopify", "marketplace", "shopify-storefront", None),
        ("packed", "dc-east", "warehouse", "dc-east", None),
        ("handed_off", "dc-east", "warehouse", "dc-east", ("ups", "ups-network")),
    )
    for i in range(n):
        o = key(IdType.order, f"{1_000_000 + i}")
        m = key(IdType.marketplace_order, f"{7_000_000_000 + i}", "shopify")
        f = key(IdType.fulfillment, f"{5_000_000_000 + i}", "shopify")
        s = key(IdType.sscc, f"00614141{i:010d}")
        t = key(IdType.tracking_number, f"1Z{i:016d}", "ups")
        for facts in ((o, m), (o, s), (o, s, t), (m, f, t), (t,)):
            graph.apply(Facts(facts))
        journeys = tuple(graph.journeys_of([o]))
        at = start + timedelta(seconds=i)
        for k, (milestone, partner, kind, node, carrier) in enumerate(path):
            when = at + timedelta(hours=k)
            obs = Observation(journeys, milestone, when, partner, kind, node, heard_at=when,
                              carrier=carrier)  # fmt: skip
            sla.observe(obs, when)
        sla.take_facts()  # published and dropped, as the SLA service does after each batch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--journeys", type=int, default=100_000)
    n = ap.parse_args().journeys
    gc.collect()
    before = rss_bytes()
    graph = IdentityGraph()
    sla = SlaEngine(load_network(ROOT / "seamscope.yaml"))
    t0 = time.perf_counter()
    build(graph, sla, n)
    seconds = time.perf_counter() - t0
    gc.collect()
    after = rss_bytes()
    print(json.dumps({
        "journeys": n, "open_orders": graph.open_orders, "identifiers": graph.keys,
        "sla_journeys": sla.open_journeys, "sla_packed": sla.packed_journeys,
        "rss_before_mb": before / 2**20, "rss_after_mb": after / 2**20,
        "bytes_per_journey": (after - before) / n, "build_s": seconds,
        "facts_per_s": 5 * n / seconds,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
