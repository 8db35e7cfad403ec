"""Charts drawn by pygal (installed from PyPI) as standalone SVG documents.

The web UI embeds each chart as an image (``<img src="/charts/<panel>.svg?...">``), so the
pages keep their strict CSP: pygal writes its styles into the SVG, and only the chart
responses allow that (``seamscope.api.CHART_HEADERS``); no script is ever sent (pygal's
config script is stripped, its tooltip script never referenced).

What is drawn can be read back from the SVG: every point or bar of the series ``i``
(the ``i``-th legend entry) is a ``g.series.serie-<i>`` mark with its value in a
``<desc class="value">`` (``<time>: <value>`` on time axes). Values are written as plain
numbers; only the axis labels are formatted for people.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element

import pygal  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

from sinks.queries import as_utc

# pygal adds a legacy import hook (``find_module`` only) for its map plugins, which are not
# used here; on Python 3.11 every import that fails anywhere then raises an ImportWarning.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

#: Series colours, in order of the series' sorted names.
PALETTE = (
    "#2f6fb0", "#e07b24", "#3b9a4a", "#c4403c", "#8660b8",
    "#8c5a48", "#d266ad", "#6f7378", "#a9a52e", "#21a3b5",
)  # fmt: skip

#: Chart sizes in SVG units; pages scale them to the panel's width, so a full-width
#: panel draws on a wider canvas (text keeps its size).
WIDE, NARROW, H = 1400, 700, 250

STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#5d6776",
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    value_font_size=11,
    tooltip_font_size=12,
    title_font_size=13,
    no_data_font_size=16,
    guide_stroke_color="#dfe3e8",
    major_guide_stroke_color="#b9c0c9",
    guide_stroke_dasharray="2,3",
    major_guide_stroke_dasharray="2,3",
    opacity=".85",
    opacity_hover=".95",
    stroke_width="1.8",
    stroke_width_hover="2.5",
    transition="0ms",
    colors=PALETTE,
)

#: Round durations for a logarithmic axis: 1s, 1m, 10m, 1h, 6h, 1d, 3d, 1w, 30d.
LOG_TICKS = (1, 60, 600, 3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400)

_LEGEND_ROW = 19


def _scriptless(root: Element) -> Element:
    """Drop what only pygal's tooltip script uses: its config ``<script>`` and the
    tooltip group (the one element with an inline ``style``)."""
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if tag == "script" or "tooltip-overlay" in child.get("class", ""):
                parent.remove(child)
    return root


def _config(width: int, series: int, **extra: Any) -> dict[str, Any]:
    cols = min(max(1, width // 230), max(series, 1))
    rows = math.ceil(series / cols)
    # pygal reserves series // cols legend rows: one short when the last row is partial.
    short = rows - series // cols
    return {
        "style": STYLE,
        "width": width,
        "height": H + rows * _LEGEND_ROW,
        "margin_bottom": 8 + short * _LEGEND_ROW,
        "js": [],
        "no_prefix": True,  # one chart per document: deterministic output
        "css": ["file://style.css", "file://graph.css", "inline:svg{font-family:sans-serif}"],
        "show_legend": series > 0,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": cols,
        "truncate_legend": -1,
        "truncate_label": -1,
        "value_formatter": number,
        "margin": 8,
        "spacing": 8,
        "dots_size": 1.8,
        "show_x_guides": False,
        "no_data_text": "No data in this window",
        **extra,
    }


def number(v: float) -> str:
    """A drawn value as the SVG states it: plain digits, at most 3 decimals."""
    return f"{v:.3f}".rstrip("0").rstrip(".")


def nice_max(value: float) -> float:
    """A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * exp:
            return m * exp
    return 10 * exp  # pragma: no cover - unreachable


def _ticks(peak: float, fmt: Callable[[float], str], log_scale: bool) -> list[dict[str, Any]]:
    if log_scale:
        ticks = [t for t in LOG_TICKS if t <= max(peak, 60) * 1.01]
        ticks.append(next((t for t in LOG_TICKS if t > peak), LOG_TICKS[-1]))
        values: list[float] = [float(t) for t in ticks]
    else:
        top = nice_max(peak)
        values = [top * k / 4 for k in range(5)]
    return [{"label": fmt(v), "value": v} for v in values]


#: Steps between time-axis labels, in seconds.
_TIME_STEPS = (
    60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600,
    86400, 2 * 86400, 7 * 86400, 14 * 86400,
)  # fmt: skip


def _time_axis(since: datetime, until: datetime) -> dict[str, Any]:
    """Labels at round times, about six over the span, and how to write them."""
    span = max((until - since).total_seconds(), 60.0)
    step = next((s for s in _TIME_STEPS if span / s <= 7), 30 * 86400)
    first = math.ceil(since.timestamp() / step) * step
    labels = [
        datetime.fromtimestamp(t, UTC) for t in range(int(first), int(until.timestamp()) + 1, step)
    ]
    text = "%H:%M" if span <= 86400 else "%m-%d %H:%M" if step < 86400 else "%Y-%m-%d"
    return {
        "x_labels": labels,
        "x_value_formatter": lambda when: as_utc(when).strftime(text),
        "xrange": (since, until),
        "x_label_rotation": 0,
    }


def render(chart: Any) -> str:
    chart.add_xml_filter(_scriptless)
    return str(chart.render(is_unicode=True))


def timeseries(
    rows: Sequence[dict[str, Any]],
    time_col: str,
    value_col: str,
    series_col: str,
    since: datetime,
    until: datetime,
    bucket_s: int,
    fmt: Callable[[float], str],
    zero_fill: bool = True,
    log_scale: bool = False,
    width: int = NARROW,
) -> str:
    """Lines over the window, one per series (sorted by name); missing buckets are 0
    (``zero_fill``, for counts) or gaps (for latencies). ``log_scale`` spreads values over
    orders of magnitude (durations from minutes to days), with ticks at round durations.
    """
    series: dict[str, dict[datetime, float]] = {}
    for r in rows:
        if r[value_col] is None:
            continue
        name = str(r[series_col]) if series_col else value_col
        series.setdefault(name, {})[as_utc(r[time_col])] = float(r[value_col])
    step = timedelta(seconds=max(60, bucket_s))
    start = datetime.fromtimestamp(
        since.timestamp() // step.total_seconds() * step.total_seconds(), UTC
    )
    buckets = []
    t = start
    while t < until:
        buckets.append(t)
        t += step
    peak = max((v for s in series.values() for v in s.values()), default=0.0)
    chart = pygal.DateTimeLine(
        **_config(
            width,
            len(series),
            **_time_axis(since, until),
            y_labels=_ticks(peak, fmt, log_scale),
            logarithmic=log_scale,
            allow_interruptions=not zero_fill,
        )
    )
    for name in sorted(series):
        points = series[name]
        values: list[tuple[datetime, float | None]]
        if zero_fill:
            values = sorted((dict.fromkeys(buckets, 0.0) | points).items())
        else:
            values = []
            for when, v in sorted(points.items()):
                if values and when - values[-1][0] > step:
                    values.append((values[-1][0] + step, None))  # a gap, not a line
                values.append((when, v))
        chart.add(name, values)
    return render(chart)


def bars(
    rows: Sequence[dict[str, Any]],
    label_cols: Sequence[str],
    value_col: str,
    series_col: str,
    fmt: Callable[[float], str],
    label: Callable[[str, Any], str],
    width: int = NARROW,
) -> str:
    """Horizontal bars: one group per category (in row order), one bar per series."""
    groups: dict[str, dict[str, float]] = {}
    for r in rows:
        if r[value_col] is None:
            continue
        cat = " · ".join(label(c, r[c]) for c in label_cols)
        name = str(r[series_col]) if series_col else value_col
        groups.setdefault(cat, {})[name] = float(r[value_col])
    names = sorted({n for g in groups.values() for n in g})
    peak = max((v for g in groups.values() for v in g.values()), default=0.0)
    bar_rows = sum(len(g) for g in groups.values())
    config = _config(
        width,
        len(names),
        y_labels=_ticks(peak, fmt, False),
        x_labels=list(groups),
        print_values=False,
    )
    config["height"] = max(config["height"], 80 + bar_rows * 16 + len(groups) * 8)
    chart = pygal.HorizontalBar(**config)
    for name in names:
        chart.add(name, [g.get(name) for g in groups.values()])
    return render(chart)


def swimlane(
    events: Sequence[dict[str, Any]],
    lanes: Sequence[str],
    lane_of: Callable[[dict[str, Any]], str],
    deadlines: Sequence[tuple[datetime, str, str]] = (),
    width: int = WIDE,
) -> str:
    """A journey on one time axis, one lane per partner type: its events in time order
    (series ``events``), the exceptions among them (``exceptions``) and the SLA
    deadlines (``deadlines``: time, lane, stage) on the lane of the node that must meet
    them."""

    def lane_no(name: str) -> int:
        return lanes.index(name) if name in lanes else len(lanes) - 1

    times = [as_utc(e["occurred_at"]) for e in events] + [as_utc(d[0]) for d in deadlines]
    if not times:
        return ""
    start, end = min(times), max(times)
    pad = max((end - start) * 0.03, timedelta(minutes=5))
    chart = pygal.DateTimeLine(
        **_config(
            width,
            3,
            height=90 + 40 * len(lanes),
            **_time_axis(start - pad, end + pad),
            y_labels=[{"label": lane, "value": i} for i, lane in enumerate(lanes)],
            range=(-0.5, len(lanes) - 0.5),
            dots_size=4,
            legend_at_bottom_columns=3,
        )
    )
    path = [(as_utc(e["occurred_at"]), lane_no(lane_of(e))) for e in events]
    chart.add("events", path)
    exceptions = [p for p, e in zip(path, events, strict=True) if e.get("exception_reason")]
    chart.add("exceptions", exceptions, stroke=False, dots_size=6)
    marks = [(as_utc(at), lane_no(lane)) for at, lane, _ in deadlines]
    chart.add("SLA deadlines", marks, stroke=False, dots_size=5)
    return render(chart)
