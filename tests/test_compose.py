"""No Docker engine runs here, so the compose file's structure is checked instead."""

from __future__ import annotations

import re
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


def test_compose_serves_the_web_ui_with_a_token_and_grafana_with_the_dashboards() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    web = services["web"]
    assert web["command"][:3] == ["web", "--host", "0.0.0.0"]
    assert web["environment"]["SEAMSCOPE_WEB_TOKEN"].startswith("${SEAMSCOPE_WEB_TOKEN:?")
    assert web["environment"]["SEAMSCOPE_CLICKHOUSE_URL"].startswith("http://")
    assert all(p.startswith("127.0.0.1:") for p in web["ports"])
    assert "/api/health" in " ".join(web["healthcheck"]["test"])
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"

    grafana = services["grafana"]
    name, version = grafana["environment"]["GF_INSTALL_PLUGINS"].split(" ")
    assert name == "grafana-clickhouse-datasource" and version[0].isdigit()
    assert "healthcheck" in grafana
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${")
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}
    provisioning = ROOT / mounts["/etc/grafana/provisioning"]
    boards = ROOT / mounts["/var/lib/grafana/dashboards/seamscope"]
    assert (provisioning / "datasources" / "clickhouse.yaml").is_file()
    provider = yaml.safe_load((provisioning / "dashboards" / "seamscope.yaml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards/seamscope"
    assert sorted(p.name for p in boards.glob("*.json")), "no dashboards to provision"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (boards / home.rsplit("/", 1)[1]).is_file()
    datasource = (provisioning / "datasources" / "clickhouse.yaml").read_text()
    assert set(re.findall(r"\$\{(\w+)\}", datasource)) <= set(grafana["environment"])
