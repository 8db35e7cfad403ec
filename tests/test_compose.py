"""No Docker engine runs here, so the compose file's structure is checked instead."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_real_kafka_clickhouse_and_every_seamscope_role() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"kafka", "clickhouse", "migrate", "worker", "sink", "simulator"} <= set(services)
    for name, svc in services.items():
        image = svc["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name} image is not pinned"
    assert "healthcheck" in services["kafka"] and "healthcheck" in services["clickhouse"]
    for role in ("worker", "sink", "migrate"):
        svc = services[role]
        assert svc["command"] == [role]
        env = svc["environment"]
        assert env["SEAMSCOPE_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["SEAMSCOPE_CLICKHOUSE_URL"].startswith("http://")
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert (ROOT / "Dockerfile").is_file()
