"""Stuck-order detection at scale: N orders played live on a sped-up clock, some made to
fail, through the worker and the sink; precision and recall of `seamscope stuck` against
the ground truth, and how long after each deadline its breach alert was raised.

    python -m bench.sla --orders 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bench.run import RESULTS, ROOT, log, start_workers, stop_workers
from seamscope.embedded import EmbeddedBroker
from seamscope.settings import Settings
from sinks.migrate import migrate
from sinks.queries import find_stuck
from sinks.runner import SinkRunner
from sinks.store import Store
from streams import kafka
from streams.scenarios import fast_network, write_network
from streams.simulate import Failures, Simulator, plan_live, publish_on_time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--window", type=float, default=40.0, help="seconds over which orders arrive")
    args = ap.parse_args()
    speed = 3600 * 4
    base = yaml.safe_load((ROOT / "seamscope.yaml").read_text())
    network = fast_network(base, speed, silence_s=60)
    with tempfile.TemporaryDirectory(prefix="seamscope-sla-") as tmp:
        run_dir = Path(tmp)
        config = write_network(network, run_dir / "network.yaml")
        with EmbeddedBroker(run_dir / "broker") as broker:
            settings = Settings(
                kafka_bootstrap=broker.bootstrap, kafka_session_timeout_ms=3000,
                clickhouse_url=f"chdb://{run_dir / 'store'}", run_dir=run_dir, config=config,
                sink_flush_interval_s=0.5,
            )  # fmt: skip
            store = Store(settings.clickhouse_url.get_secret_value(), "sla")
            migrate(store)
            asyncio.run(kafka.ensure_network_topics(settings, network.raw_topics))
            procs = start_workers(settings, 1, run_dir)
            start = datetime.now(UTC) + timedelta(seconds=10)
            steps, truth = plan_live(
                Simulator(network, seed=5), args.orders, start, args.window, speed,
                Failures(rate=0.1, silent_partner="tpl-west", silent_after=0.1),
            )  # fmt: skip
            last_deadline = steps[-1].at + timedelta(hours=100) / speed
            log(f"{len(steps)} reports for {args.orders} orders, {len(truth)} made to fail")

            async def scenario() -> list[dict[str, object]]:
                producer = kafka.producer(settings)
                await producer.start()
                sink = SinkRunner(settings, store)
                task = asyncio.create_task(sink.run())
                try:
                    await publish_on_time(producer, steps)
                    log("all reports sent; waiting for the last deadlines")
                    wait = (last_deadline - datetime.now(UTC)).total_seconds() + 8
                    await asyncio.sleep(max(wait, 0))
                    return find_stuck(store, limit=1_000_000)
                finally:
                    await producer.stop()
                    sink.stop()
                    await task

            try:
                reported = asyncio.run(scenario())
            finally:
                stop_workers(procs)
            found = {r["order"] for r in reported}
            hits = found & set(truth)
            delays = [
                float(r["delay_s"])
                for r in store.rows(
                    "SELECT dateDiff('millisecond', deadline, opened_at) / 1000 AS delay_s "
                    "FROM alerts FINAL WHERE kind = 'sla_breach' AND opened_at > deadline"
                )
            ]
            print(json.dumps({
                "orders": args.orders, "reports": len(steps), "made_to_fail": len(truth),
                "reported_stuck": len(found), "precision": len(hits) / max(len(found), 1),
                "recall": len(hits) / max(len(truth), 1), "breach_alerts": len(delays),
                "alert_delay_p50_s": round(statistics.median(delays), 3) if delays else None,
                "alert_delay_p99_s": round(percentile(delays, 0.99), 3),
                "alert_delay_max_s": round(max(delays), 3) if delays else None,
            }))  # fmt: skip
            store.close()
            RESULTS.mkdir(parents=True, exist_ok=True)
            for log_file in run_dir.glob("worker*.log"):
                (RESULTS / f"sla-{log_file.name}").write_bytes(log_file.read_bytes())


if __name__ == "__main__":
    main()
