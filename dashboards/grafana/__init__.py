"""Grafana dashboards generated from the panel definitions, for the ClickHouse data source.

One dashboard per view with panels (``dashboards.views.VIEWS``), one Grafana panel per
``dashboards.panels.Panel``. Each bound parameter becomes what its ``Parameter.grafana``
says: the plugin's time macros (``$__fromTime_ms``, ``$__toTime_ms``, ``$__interval_s``)
or a dashboard variable quoted by Grafana (``${partner:sqlstring}``). The SLA stages
come from the network config (``seamscope.yaml``, the file the compose stack runs with)
as a hidden constant variable, so the dashboards change when its stages do.

``python -m dashboards.grafana`` rewrites ``dashboards/grafana/dashboards/*.json``;
``--check`` fails when the committed files are stale. ``docker-compose.yml`` provisions
them with the data source in ``dashboards/grafana/provisioning/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dashboards.panels import PANELS, PARAMETERS, Panel, sla_stages
from dashboards.views import VIEWS, View
from seamscope.network import Network, load_network

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "dashboards"
#: The network config the generated dashboards are for.
CONFIG = HERE.parents[1] / "seamscope.yaml"
DATASOURCE = {"type": "grafana-clickhouse-datasource", "uid": "seamscope-clickhouse"}
PLUGIN_VERSION = "4.11.1"

_PARAM = re.compile(r"\{(\w+):([^{}]+)\}")


def grafana_sql(sql: str) -> str:
    """The panel's SQL with each bound parameter replaced by its Grafana equivalent."""

    def sub(m: re.Match[str]) -> str:
        param = PARAMETERS[m.group(1)]
        if param.type != m.group(2):
            raise ValueError(f"{{{m.group(1)}:{m.group(2)}}} should be of type {param.type}")
        return param.grafana

    return _PARAM.sub(sub, sql.strip())


def _uid(slug: str) -> str:
    return f"seamscope-{slug}"


def _field_config(panel: Panel) -> dict[str, Any]:
    overrides: list[dict[str, Any]] = [
        {
            "matcher": {"id": "byRegexp", "options": ".*_s$"},
            "properties": [{"id": "unit", "value": "s"}],
        },
        {
            "matcher": {"id": "byRegexp", "options": ".*_pct$"},
            "properties": [{"id": "unit", "value": "percent"}],
        },
    ]
    if "journey_id" in panel.links:
        overrides.append(
            {
                "matcher": {"id": "byName", "options": "journey_id"},
                "properties": [
                    {
                        "id": "links",
                        "value": [
                            {
                                "title": "Open the journey",
                                "url": f"/d/{_uid('journey')}/journey?var-id=${{__value.raw}}",
                            }
                        ],
                    }
                ],
            }
        )
    unit = {"s": "s", "%": "percent"}.get(panel.unit, "short")
    defaults: dict[str, Any] = {"unit": unit}
    if panel.visual == "timeseries":
        defaults["custom"] = {"lineWidth": 2, "pointSize": 4, "showPoints": "auto"}
        if panel.log_scale:
            defaults["custom"]["scaleDistribution"] = {"type": "log", "log": 10}
    return {"defaults": defaults, "overrides": overrides}


def grafana_panel(panel: Panel, panel_id: int, pos: dict[str, int]) -> dict[str, Any]:
    kind = {"table": "table", "timeseries": "timeseries", "bar": "barchart", "stat": "stat"}
    out: dict[str, Any] = {
        "id": panel_id,
        "type": kind[panel.visual],
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": pos,
        "fieldConfig": _field_config(panel),
        "targets": [
            {
                "refId": "A",
                "datasource": DATASOURCE,
                "editorType": "sql",
                "queryType": "timeseries" if panel.visual == "timeseries" else "table",
                "format": 0 if panel.visual == "timeseries" else 1,
                "rawSql": grafana_sql(panel.sql),
            }
        ],
    }
    if panel.visual == "bar":
        out["transformations"] = [
            {
                "id": "groupingToMatrix",
                "options": {
                    "columnField": panel.series,
                    "rowField": panel.x[0],
                    "valueField": panel.y[0],
                },
            }
        ]
        out["options"] = {"orientation": "horizontal", "showValue": "auto", "xField": panel.x[0]}
    elif panel.visual == "stat":
        out["options"] = {
            "reduceOptions": {"values": False, "calcs": ["lastNotNull"], "fields": ""},
            "textMode": "value_and_name",
        }
    elif panel.visual == "table":
        out["options"] = {"showHeader": True, "cellHeight": "sm"}
    return out


def sla_json(network: Network) -> str:
    """The ``sla_stages`` constant: the network's SLA stages as JSON."""
    return json.dumps([list(t) for t in sla_stages(network.sla)], ensure_ascii=False)


def _variables(view: View, network: Network) -> list[dict[str, Any]]:
    partner_sql = (
        "SELECT DISTINCT partner_id FROM partner_last_seen "
        "UNION DISTINCT SELECT DISTINCT partner_id FROM dead_letter_minute ORDER BY partner_id"
    )
    out: list[dict[str, Any]] = [
        {
            "name": "partner",
            "label": "Partner",
            "type": "query",
            "datasource": DATASOURCE,
            "definition": partner_sql,
            "query": {"editorType": "sql", "rawSql": partner_sql},
            "refresh": 2,
            "includeAll": True,
            "multi": True,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "options": [],
            "sort": 1,
        }
    ]
    used = {name for p in view.panels for name in PANELS[p].parameters}
    for name, param in PARAMETERS.items():
        if name not in used:
            continue
        if param.variable == "textbox":
            out.append(
                {
                    "name": name,
                    "label": param.label,
                    "type": "textbox",
                    "query": "",
                    "current": {"text": "", "value": ""},
                    "options": [],
                }
            )
        elif param.variable == "constant":
            value = sla_json(network)
            out.append(
                {
                    "name": name,
                    "label": param.label,
                    "type": "constant",
                    "hide": 2,
                    "skipUrlSync": True,
                    "query": value,
                    "current": {"text": value, "value": value},
                    "options": [],
                }
            )
    return out


def dashboard(view: View, network: Network) -> dict[str, Any]:
    panels, x, y, row_h, next_id = [], 0, 0, 0, 1
    for name in view.panels:
        panel = PANELS[name]
        h = {"stat": 4, "table": 9, "timeseries": 8, "bar": 9}[panel.visual]
        if x + panel.width > 24:
            x, y, row_h = 0, y + row_h, 0
        panels.append(grafana_panel(panel, next_id, {"x": x, "y": y, "w": panel.width, "h": h}))
        next_id += 1
        x += panel.width
        row_h = max(row_h, h)
    return {
        "uid": _uid(view.slug),
        "title": f"Seamscope · {view.title}",
        "description": view.description,
        "tags": ["seamscope"],
        "editable": False,
        "graphTooltip": 1,
        "refresh": "1m",
        "schemaVersion": 39,
        "version": 1,
        "timezone": "utc",
        "time": {"from": "now-24h", "to": "now"},
        "links": [
            {
                "type": "dashboards",
                "title": "Seamscope",
                "tags": ["seamscope"],
                "asDropdown": False,
                "includeVars": True,
                "keepTime": True,
            }
        ],
        "templating": {"list": _variables(view, network)},
        "annotations": {"list": []},
        "panels": panels,
        "__requires": [
            {
                "type": "datasource",
                "id": "grafana-clickhouse-datasource",
                "name": "ClickHouse",
                "version": PLUGIN_VERSION,
            }
        ],
    }


def dashboards(network: Network | None = None) -> dict[str, str]:
    """File name -> JSON text, for every view with panels (for ``CONFIG`` by default)."""
    network = network or load_network(CONFIG)
    return {
        f"{view.slug}.json": json.dumps(dashboard(view, network), indent=2, ensure_ascii=False)
        + "\n"
        for view in VIEWS.values()
        if not view.planned
    }
