"""B1: the framework floor, a bare faust agent passing raw messages through.

Run by bench.run in its own process; prints one JSON line with the rate.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import faust

BOOTSTRAP = os.environ["BENCH_BOOTSTRAP"]
TOPICS = os.environ["BENCH_TOPICS"].split(",")
N = int(os.environ["BENCH_N"])

app = faust.App(
    "bench-faust-floor",
    broker=f"kafka://{BOOTSTRAP}",
    store="memory://",
    web_enabled=False,
    autodiscover=False,
    broker_session_timeout=2.0,
    broker_heartbeat_interval=0.5,
    broker_rebalance_timeout=2.0,
    datadir=os.environ.get("BENCH_DATADIR", "/tmp/bench-faust-floor"),
    value_serializer="raw",
    key_serializer="raw",
)
source = app.topic(*TOPICS, value_serializer="raw", key_serializer="raw")
state: dict[str, Any] = {"n": 0, "t0": 0.0}


@app.agent(source)
async def passthrough(stream: Any) -> None:
    async for _value in stream:
        if not state["n"]:
            state["t0"] = time.perf_counter()
        state["n"] += 1
        if state["n"] == N:
            rate = N / (time.perf_counter() - state["t0"])
            print(json.dumps({"per_s": rate, "n": N}), flush=True)
            os._exit(0)


if __name__ == "__main__":
    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()
