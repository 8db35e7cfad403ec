"""The Grafana dashboards: generated from the panels, committed fresh, and their SQL runs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from dashboards.grafana import DATASOURCE, OUT_DIR, dashboards, sla_json
from dashboards.grafana.__main__ import main as grafana_main
from dashboards.panels import NOW_COLUMNS, PANELS, run_panel, window_parameters
from dashboards.views import VIEWS
from seamscope.network import Network
from sinks.store import Store
from tests.dashboards.test_panels import failing_history, raise_alerts
from tests.helpers import land, raw_records

PROVISIONING = OUT_DIR.parent / "provisioning"


def sql_string(value: str) -> str:
    """What Grafana's ``sqlstring`` format makes of a value."""
    return "'" + value.replace("'", "''") + "'"


def render(sql: str, params: dict[str, Any]) -> str:
    """A Grafana query as the ClickHouse plugin would send it for these values."""

    def ms(t: datetime) -> str:
        return f"fromUnixTimestamp64Milli({int(t.timestamp() * 1000)})"

    out = sql.replace("$__fromTime_ms", ms(params["since"]))
    out = out.replace("$__toTime_ms", ms(params["until"]))
    out = out.replace("$__interval_s", str(params["bucket"]))
    out = out.replace("${partner:sqlstring}", ",".join(sql_string(p) for p in params["partners"]))
    for name in ("reason", "responsible", "id", "node", "stage", "status"):
        out = out.replace(f"${{{name}:sqlstring}}", sql_string(params[name]))
    out = out.replace("${min_age_s:sqlstring}", sql_string(str(params["min_age_s"])))
    out = out.replace("${sla_stages:sqlstring}", sql_string(params["sla_json"]))
    assert not re.search(r"\$\{|\$__", out), out
    return out


def test_committed_dashboards_are_up_to_date(network: Network) -> None:
    committed = {p.name: p.read_text("utf-8") for p in OUT_DIR.glob("*.json")}
    assert committed == dashboards(), "stale: run `python -m dashboards.grafana`"
    assert grafana_main(["--check"]) == 0
    assert set(committed) == {f"{v.slug}.json" for v in VIEWS.values() if not v.planned}
    # The SLA stages are the network config's, in a constant people cannot override.
    [health] = [json.loads(committed["health.json"])]
    [sla] = [v for v in health["templating"]["list"] if v["name"] == "sla_stages"]
    assert (sla["type"], sla["query"], sla["skipUrlSync"]) == ("constant", sla_json(network), True)


def test_provisioning_points_at_the_generated_dashboards_and_data_source() -> None:
    ds = yaml.safe_load((PROVISIONING / "datasources" / "clickhouse.yaml").read_text())
    [source] = ds["datasources"]
    assert (source["type"], source["uid"]) == (DATASOURCE["type"], DATASOURCE["uid"])
    prov = yaml.safe_load((PROVISIONING / "dashboards" / "seamscope.yaml").read_text())
    assert prov["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards/seamscope"
    for path in OUT_DIR.glob("*.json"):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            assert panel["datasource"] == DATASOURCE
            for target in panel["targets"]:
                assert not re.search(r"(?<!\$)\{\w+:[^{}]+\}", target["rawSql"]), target["rawSql"]


def test_every_grafana_query_runs_in_chdb_and_matches_its_panel(
    store: Store, network: Network
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    steps = failing_history(network, 16, now)
    land(store, network, raw_records(network, steps))
    raise_alerts(store, network, now)
    order = steps[0].order.order_number
    constant = {"sla_json": sla_json(network)}  # what Grafana sends for ${sla_stages}
    cases = [
        window_parameters(hours=96, until=now + timedelta(hours=1), id=order, sla=network.sla)
        | constant,
        window_parameters(
            hours=96,
            until=now + timedelta(hours=1),
            partner="ups",
            reason="x' OR '1'='1",
            id="' OR 1=1 --",
            node="'; DROP TABLE alerts; --",
            stage="pick_pack",
            min_age_s=3600,
            status="open",
            sla=network.sla,
        )
        | constant,
    ]
    checked, with_rows = 0, set()
    for path in sorted(OUT_DIR.glob("*.json")):
        board = json.loads(path.read_text())
        view = VIEWS[path.stem]
        for name, panel in zip(view.panels, board["panels"], strict=True):
            assert panel["title"] == PANELS[name].title
            for params in cases:
                rows = store.rows(render(panel["targets"][0]["rawSql"], params))
                expected = run_panel(store, name, params)
                assert [{k: v for k, v in r.items() if k not in NOW_COLUMNS} for r in rows] == [
                    {k: v for k, v in r.items() if k not in NOW_COLUMNS} for r in expected
                ], (path.name, name)
                checked += 1
                if rows and params is cases[0]:
                    with_rows.add(name)
    assert checked == 2 * sum(len(v.panels) for v in VIEWS.values() if not v.planned)
    # Every panel had rows to compare but those the simulated world never fills.
    assert set(PANELS) - with_rows <= {
        "dead_letter_trend", "dead_letters", "dead_letter_samples", "exceptions_by_responsible",
        "exception_trend", "exceptions_by_reason", "exception_journeys",
    }, set(PANELS) - with_rows  # fmt: skip


def test_generator_writes_the_files(tmp_path: Path, monkeypatch: Any) -> None:
    import dashboards.grafana.__main__ as cli

    monkeypatch.setattr(cli, "OUT_DIR", tmp_path)
    (tmp_path / "gone.json").write_text("{}")
    assert cli.main(["--check"]) == 1
    assert cli.main([]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(dashboards())
    assert cli.main(["--check"]) == 0
