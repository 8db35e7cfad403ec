"""`seamscope demo` as a newcomer runs it, and `seamscope journey` and `stuck` against it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seamscope.network import load_network

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]


def test_demo_serves_journeys_and_stuck_orders_then_stops_cleanly(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(
        SEAMSCOPE_RUN_DIR=str(tmp_path / "run"),
        SEAMSCOPE_CLICKHOUSE_URL=f"chdb://{tmp_path / 'store'}",
        SEAMSCOPE_CONFIG=str(ROOT / "seamscope.yaml"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.pop("SEAMSCOPE_KAFKA_BOOTSTRAP", None)
    out_path = tmp_path / "demo.out"
    with out_path.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "seamscope", "demo", "--orders", "30", "--rate", "1",
             "--stuck-rate", "0.5"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            text = ""
            while time.monotonic() < deadline and "Ctrl-C stops everything" not in text:
                assert demo.poll() is None, out_path.read_text()
                time.sleep(0.5)
                text = out_path.read_text()
            assert "Ctrl-C stops everything" in text, text
            order = re.search(r"seamscope journey (\d+)\n", text)
            assert order, text
            journey = subprocess.run(
                [sys.executable, "-m", "seamscope", "journey", order.group(1)],
                env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
            )  # fmt: skip
            assert journey.returncode == 0, journey.stderr
            timeline = journey.stdout
            assert f"order {order.group(1)}" in timeline
            network = load_network(ROOT / "seamscope.yaml")
            for kind in ("marketplace", "warehouse", "carrier"):
                ids = "|".join(re.escape(p.id) for p in network.partners if p.type.value == kind)
                assert re.search(rf"\s({ids})\s", timeline), (kind, timeline)
            # Half the history's orders were made to get stuck: the SLA clocks find some.
            planned = re.search(r"\((\d+) stuck: ", text)
            assert planned and int(planned.group(1)) > 0, text
            stuck: list[dict[str, str]] = []
            while time.monotonic() < deadline + 60 and not stuck:
                done = subprocess.run(
                    [sys.executable, "-m", "seamscope", "stuck", "--json"],
                    env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
                )  # fmt: skip
                assert done.returncode == 0, done.stderr
                stuck = json.loads(done.stdout)["stuck"]
                time.sleep(1)
            assert stuck and all(r["deadline"] and r["order"] for r in stuck), stuck
        finally:
            demo.send_signal(signal.SIGINT)
            code = demo.wait(60)
    text = out_path.read_text()
    assert code == 0, text
    assert "demo stopped" in text
    assert not (tmp_path / "run" / "demo.json").exists()
