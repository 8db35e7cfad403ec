"""Dead letters after a config fix: replayed, recorded, and their events land."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from seamscope.cli import main
from seamscope.network import Network
from seamscope.settings import Settings
from sinks.store import Store
from streams.simulate import Simulator, ground_truth
from tests.helpers import ROOT, run_pipeline, start_worker

pytestmark = pytest.mark.e2e


def test_dead_letters_replayed_after_a_config_fix_land_as_events(
    settings: Settings, store: Store, network: Network, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    steps = Simulator(network, seed=41).plan_history(6, datetime.now(UTC), days=6)
    carrier = next(s.partner for s in steps if s.partner.type.value == "carrier")
    ups = [s for s in steps if s.partner.id == carrier.id]
    others = [s for s in steps if s.partner.id != carrier.id]
    # One carrier was configured with the wrong format: all its reports dead-letter.
    config = yaml.safe_load((ROOT / "seamscope.yaml").read_text())
    for p in config["partners"]:
        if p["id"] == carrier.id:
            p["format"] = "ups" if carrier.format != "ups" else "fedex"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump(config))
    for name in ("wrong", "fixed"):
        (tmp_path / name).mkdir()

    worker = start_worker(settings.model_copy(update={"config": wrong}), tmp_path / "wrong")
    try:
        expected_now = len(ground_truth(network, others))
        asyncio.run(run_pipeline(settings, store, steps, [], wait_for_events=expected_now))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    letters = store.rows(
        "SELECT count() AS n FROM dead_letters FINAL WHERE partner_id = {p:String}",
        {"p": carrier.id},
    )
    n_letters = letters[0]["n"]
    assert n_letters > 0

    # Fixed config: replay the UPS dead letters; the worker processes them as new reports.
    monkeypatch.setenv("SEAMSCOPE_KAFKA_BOOTSTRAP", settings.kafka_bootstrap)
    monkeypatch.setenv("SEAMSCOPE_CONFIG", str(ROOT / "seamscope.yaml"))
    assert main(["replay-deadletters", "--partner", carrier.id, "--since", "1h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"replayed {n_letters} dead letters: {n_letters} succeeded")

    worker = start_worker(settings, tmp_path / "fixed")
    try:
        total = len(ground_truth(network, steps))
        asyncio.run(run_pipeline(settings, store, [], [], wait_for_events=total))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    replays = store.rows(
        "SELECT outcome, count() AS n FROM dead_letter_replays FINAL GROUP BY outcome"
    )
    assert [(r["outcome"], r["n"]) for r in replays] == [("succeeded", n_letters)]
    landed = store.rows(
        "SELECT uniqExact(event_id) AS n FROM journey_events WHERE partner_id = {p:String}",
        {"p": carrier.id},
    )
    assert landed[0]["n"] == len(ground_truth(network, ups))
