"""Stitching under disorder at scale: N orders, shuffled and duplicated reports with split
shipments, relabels, cancellations and clock skew, through W worker processes.

    python -m bench.disorder --orders 10000 --workers 2 --partitions 4

Checks every event against the simulator's ground truth and prints one JSON line:
events misplaced, orphans, duplicate rows, and how long it took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import (
    RESULTS,
    ROOT,
    log,
    produce_raw,
    rendered,
    sink_until_quiet,
    start_workers,
    stop_workers,
)  # fmt: skip
from seamscope.embedded import EmbeddedBroker
from seamscope.network import load_network
from seamscope.settings import Settings
from sinks.migrate import migrate
from sinks.queries import event_journeys, find_orphans
from sinks.store import Store
from streams.simulate import Disorder, Simulator, ground_truth
from streams.stitch import journey_id_for


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partitions", type=int, default=4)
    args = ap.parse_args()
    network = load_network(ROOT / "seamscope.yaml")
    sim = Simulator(network, seed=99)
    steps = sim.plan_disorder(args.orders, datetime.now(UTC), Disorder(), days=6)
    log(f"{len(steps)} reports for {args.orders} orders; computing the ground truth")
    truth = ground_truth(network, steps)
    messages = rendered(steps)
    packages: dict[str, set[str]] = {}
    for s in steps:
        packages.setdefault(s.order.order_number, set()).add(s.order.sscc)
    with tempfile.TemporaryDirectory(prefix="seamscope-disorder-") as tmp:
        run_dir = Path(tmp)
        with EmbeddedBroker(run_dir / "broker") as broker:
            settings = Settings(
                kafka_bootstrap=broker.bootstrap, kafka_session_timeout_ms=2000,
                topic_partitions=args.partitions, clickhouse_url=f"chdb://{run_dir / 'store'}",
                run_dir=run_dir,
            )  # fmt: skip
            store = Store(settings.clickhouse_url.get_secret_value(), "disorder")
            migrate(store)
            log(f"publishing {len(messages)} payloads")
            asyncio.run(produce_raw(settings, messages))
            t0 = time.perf_counter()
            procs = start_workers(settings, args.workers, run_dir)
            try:
                sink_until_quiet(settings, store, quiet_s=5, target=len(truth))
            finally:
                stop_workers(procs)
            seconds = time.perf_counter() - t0
            log("checking every event against the ground truth")
            landed = event_journeys(store)
            expected = {e: {journey_id_for(f"order::{o}") for o in os} for e, os in truth.items()}
            misplaced = sum(1 for e, js in expected.items() if landed.get(e) != js)
            counts = store.rows(
                "SELECT count() AS n, uniqExact(event_id) AS u FROM journey_events FINAL"
            )[0]
            orphans = len(find_orphans(store, older_than_s=0, limit=1_000_000))
            print(json.dumps({
                "orders": args.orders, "workers": args.workers, "partitions": args.partitions,
                "payloads": len(messages), "events_expected": len(expected),
                "events_landed": len(landed), "misplaced": misplaced, "orphans": orphans,
                "duplicate_rows": counts["n"] - counts["u"],
                "split_orders": sum(1 for p in packages.values() if len(p) > 1),
                "seconds_to_quiet": round(seconds, 1),
            }))  # fmt: skip
            store.close()
            for log_file in run_dir.glob("worker*.log"):
                RESULTS.mkdir(parents=True, exist_ok=True)
                (RESULTS / f"disorder-{log_file.name}").write_bytes(log_file.read_bytes())


if __name__ == "__main__":
    main()
