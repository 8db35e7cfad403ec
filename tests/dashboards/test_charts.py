"""Charts drawn by pygal: the SVG states exactly the numbers of the rows, and runs nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards import charts

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def read_chart(svg: str) -> dict[str, list[float]]:
    """What a chart draws: series name (legend order) -> the values of its marks.

    pygal writes each mark of series ``i`` inside ``g.series.serie-<i>`` with its value in
    ``<desc class="value">`` (``<x>: <value>`` on time axes).
    """
    root = ET.fromstring(svg)
    names = [
        (legend.find(f"{SVG}title") if legend.find(f"{SVG}title") is not None else text).text
        for legend in root.iter(f"{SVG}g")
        if "activate-serie" in legend.get("class", "")
        for text in [legend.find(f"{SVG}text")]
    ]
    values: dict[int, list[float]] = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if "series" not in classes:
            continue
        index = int(next(c for c in classes if c.startswith("serie-")).removeprefix("serie-"))
        for desc in group.iter(f"{SVG}desc"):
            if desc.get("class") == "value" and desc.text:
                values.setdefault(index, []).append(float(desc.text.rsplit(": ", 1)[-1]))
    if not names:  # one series has no legend: name it by its number
        return {str(i): v for i, v in values.items()}
    return {str(name): values.get(i, []) for i, name in enumerate(names)}


def fmt(v: float) -> str:
    return f"{v:g}"


def rows(series: dict[str, list[tuple[float, float]]]) -> list[dict[str, Any]]:
    return [
        {"time": T0 + timedelta(hours=h), "partner_id": name, "events": v}
        for name, points in series.items()
        for h, v in points
    ]


def test_a_timeseries_draws_each_row_and_zero_for_missing_buckets() -> None:
    data = rows({"ups": [(0, 3), (2, 5)], "dc-east-wms": [(1, 7)], "<b>x</b>": [(3, 1)]})
    svg = charts.timeseries(
        data, "time", "events", "partner_id", T0, T0 + timedelta(hours=4), 3600, fmt
    )
    drawn = read_chart(svg)
    assert sorted(drawn) == ["<b>x</b>", "dc-east-wms", "ups"]  # names are text, escaped
    assert drawn["ups"] == [3, 0, 5, 0]
    assert drawn["dc-east-wms"] == [0, 7, 0, 0]
    assert "<script" not in svg and "style=" not in svg and "<b>" not in svg


def test_a_latency_timeseries_leaves_gaps_and_can_use_a_log_scale() -> None:
    data = [
        {"time": T0 + timedelta(hours=h), "stage": "picked → packed", "p90_s": v}
        for h, v in ((0, 120.0), (1, 7200.0), (5, 86400.0))
    ]
    for log_scale in (False, True):
        svg = charts.timeseries(
            data, "time", "p90_s", "stage", T0, T0 + timedelta(hours=6), 3600, fmt,
            zero_fill=False, log_scale=log_scale,
        )  # fmt: skip
        assert read_chart(svg) == {"picked → packed": [120, 7200, 86400]}  # one series, named


def test_bars_draw_one_bar_per_category_and_series() -> None:
    data = [
        {"stage": "picked → packed", "ownership": "owned", "p90_s": 600.0},
        {"stage": "picked → packed", "ownership": "partner", "p90_s": 1500.5},
        {"stage": "handed_off → picked_up", "ownership": "partner", "p90_s": 3600.0},
    ]
    svg = charts.bars(data, ["stage"], "p90_s", "ownership", fmt, lambda c, v: str(v))
    assert read_chart(svg) == {"owned": [600], "partner": [1500.5, 3600]}
    assert "picked → packed" in svg


def test_the_swimlane_draws_every_event_exceptions_and_deadlines() -> None:
    events = [
        {"occurred_at": T0 + timedelta(hours=i), "partner_type": kind, "milestone": m,
         "exception_reason": "weather_delay" if m == "delayed" else ""}
        for i, (kind, m) in enumerate((("marketplace", "order_placed"), ("warehouse", "picked"),
                                       ("carrier", "delayed"), ("carrier", "delivered")))
    ]  # fmt: skip
    deadlines = [(T0 + timedelta(hours=24), "warehouse", "pick_pack")]
    lanes = ("marketplace", "warehouse", "carrier")
    svg = charts.swimlane(events, lanes, lambda e: e["partner_type"], deadlines)
    drawn = read_chart(svg)
    assert drawn == {"events": [0, 1, 2, 2], "exceptions": [2], "SLA deadlines": [1]}
    assert charts.swimlane([], ("marketplace",), lambda e: "") == ""
