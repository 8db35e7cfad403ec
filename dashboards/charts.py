"""Charts as inline SVG, drawn on the server from a panel's rows (no third-party code).

Each drawn mark carries its numbers as ``data-`` attributes (``data-series``,
``data-value``, ``data-total``), so tests and curious people can read exactly what is
drawn. Text is escaped; colours are SVG attributes (the pages' CSP allows no inline
styles).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

#: Series colours, in order of the series' sorted names.
PALETTE = (
    "#2f6fb0", "#e07b24", "#3b9a4a", "#c4403c", "#8660b8",
    "#8c5a48", "#d266ad", "#6f7378", "#a9a52e", "#21a3b5",
)  # fmt: skip

#: Chart sizes in SVG units; pages scale them to the panel's width, so a full-width
#: panel draws on a wider canvas (text keeps its size).
WIDE, NARROW, H = 1400, 700, 230
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 12, 26


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def as_utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a time: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def nice_max(value: float) -> float:
    """A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * exp:
            return m * exp
    return 10 * exp  # pragma: no cover - unreachable


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def legend(names: Sequence[str], totals: dict[str, str] | None = None) -> str:
    items = []
    for i, name in enumerate(names):
        extra = f" <span class='total'>{escape(totals[name])}</span>" if totals else ""
        items.append(
            f"<li><svg class='swatch' width='10' height='10' aria-hidden='true'>"
            f"<rect width='10' height='10' fill='{colour(i)}'/></svg>"
            f"{escape(name or '(none)')}{extra}</li>"
        )
    return f"<ul class='legend'>{''.join(items)}</ul>"


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
    """Lines over the window, one per series; missing buckets are 0 or gaps.

    ``log_scale`` spreads values over orders of magnitude (durations from minutes to
    days), with ticks at round durations.
    """
    series: dict[str, dict[datetime, float]] = {}
    for r in rows:
        if r[value_col] is None:
            continue
        name = str(r[series_col]) if series_col else value_col
        series.setdefault(name, {})[as_utc(r[time_col])] = float(r[value_col])
    if not series:
        return "<p class='empty'>No data in this window.</p>"
    names = sorted(series)
    step = timedelta(seconds=max(60, bucket_s))
    start = datetime.fromtimestamp(
        since.timestamp() // step.total_seconds() * step.total_seconds(), UTC
    )
    buckets = []
    t = start
    while t < until:
        buckets.append(t)
        t += step
    peak = max(max(s.values()) for s in series.values())
    top = nice_max(peak)
    x0, x1, y0, y1 = LEFT, width - RIGHT, H - BOTTOM, TOP
    span = max((until - since).total_seconds(), 1.0)
    ticks = [top * k / 4 for k in range(5)]
    lo, hi = 0.0, top
    if log_scale:
        ticks = [t for t in LOG_TICKS if t <= max(peak, 60) * 1.01]
        ticks = [*ticks, next((t for t in LOG_TICKS if t > peak), LOG_TICKS[-1])]
        lo, hi = math.log10(1), math.log10(ticks[-1])

    def px(when: datetime) -> float:
        frac = min(max((when - since).total_seconds() / span, 0.0), 1.0)
        return x0 + frac * (x1 - x0)

    def py(v: float) -> float:
        frac = (math.log10(max(v, 1.0)) - lo) / (hi - lo) if log_scale else v / top
        return y0 - frac * (y0 - y1)

    parts = [_frame(width, [(py(t), fmt(t)) for t in ticks], since, until)]
    for i, name in enumerate(names):
        points = series[name]
        if zero_fill:
            points = {b: points.get(b, 0.0) for b in buckets} | points
        ordered = sorted(points.items())
        segments: list[list[tuple[float, float]]] = [[]]
        prev: datetime | None = None
        for when, v in ordered:
            if not zero_fill and prev is not None and when - prev > step:
                segments.append([])
            segments[-1].append((px(when), py(v)))
            prev = when
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in seg) for seg in segments if seg)
        total = sum(series[name].values())
        parts.append(
            f"<path class='line' d='{d}' fill='none' stroke='{colour(i)}' stroke-width='1.8' "
            f"data-series='{escape(name, quote=True)}' data-total='{_num(total)}' "
            f"data-points='{len(series[name])}'/>"
        )
        for when, v in sorted(series[name].items()):
            parts.append(
                f"<circle class='point' cx='{px(when):.1f}' cy='{py(v):.1f}' r='2' "
                f"fill='{colour(i)}' data-series='{escape(name, quote=True)}' "
                f"data-value='{_num(v)}'><title>{escape(name)} "
                f"{when:%Y-%m-%d %H:%M} UTC: {escape(fmt(v))}</title></circle>"
            )
    svg = (
        f"<svg class='chart timeseries' viewBox='0 0 {width} {H}' role='img' "
        f"aria-label='chart'>{''.join(parts)}</svg>"
    )
    return svg + legend(names)


#: Round durations for a logarithmic axis: 1s, 1m, 10m, 1h, 6h, 1d, 3d, 1w, 30d.
LOG_TICKS = (1, 60, 600, 3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400)


def _frame(width: int, ticks: list[tuple[float, str]], since: datetime, until: datetime) -> str:
    x0, x1, y0 = LEFT, width - RIGHT, H - BOTTOM
    out = []
    for y, text in ticks:
        out.append(f"<line class='grid' x1='{x0}' x2='{x1}' y1='{y:.1f}' y2='{y:.1f}'/>")
        out.append(
            f"<text class='tick' x='{x0 - 6}' y='{y + 4:.1f}' text-anchor='end'>"
            f"{escape(text)}</text>"
        )
    span = (until - since).total_seconds()
    label = "%H:%M" if span <= 2 * 86400 else "%m-%d %H:%M" if span <= 8 * 86400 else "%m-%d"
    for k in range(6):
        when = since + timedelta(seconds=span * k / 5)
        x = x0 + (x1 - x0) * k / 5
        anchor = "start" if k == 0 else "end" if k == 5 else "middle"
        out.append(
            f"<text class='tick' x='{x:.1f}' y='{H - 8}' text-anchor='{anchor}'>"
            f"{when:{label}}</text>"
        )
    out.append(f"<line class='axis' x1='{x0}' x2='{x1}' y1='{y0}' y2='{y0}'/>")
    return "".join(out)


def bars(
    rows: Sequence[dict[str, Any]],
    label_cols: Sequence[str],
    value_col: str,
    series_col: str,
    fmt: Callable[[float], str],
    label: Callable[[str, Any], str],
    width: int = NARROW,
) -> str:
    """Horizontal bars, one group per category, one bar per series within a group."""
    groups: dict[str, dict[str, float]] = {}
    for r in rows:
        if r[value_col] is None:
            continue
        cat = " · ".join(label(c, r[c]) for c in label_cols)
        name = str(r[series_col]) if series_col else value_col
        groups.setdefault(cat, {})[name] = float(r[value_col])
    if not groups:
        return "<p class='empty'>No data in this window.</p>"
    names = sorted({n for g in groups.values() for n in g})
    top = nice_max(max(v for g in groups.values() for v in g.values()))
    bar_h, gap, label_w, value_w = 13, 10, 190, 70
    height = sum(len(g) * bar_h + gap for g in groups.values()) + TOP
    x0, x1 = label_w, width - value_w
    parts, y = [], TOP // 2
    for cat, values in groups.items():
        n = len(values)
        parts.append(
            f"<text class='label' x='{label_w - 8}' y='{y + n * bar_h / 2 + 4:.1f}' "
            f"text-anchor='end'>{escape(cat)}</text>"
        )
        for name in names:
            if name not in values:
                continue
            v = values[name]
            w = max((x1 - x0) * v / top, 1.0 if v else 0.0)
            i = names.index(name)
            parts.append(
                f"<rect class='bar' x='{x0}' y='{y}' width='{w:.1f}' height='{bar_h - 2}' "
                f"fill='{colour(i)}' data-series='{escape(name, quote=True)}' "
                f"data-category='{escape(cat, quote=True)}' data-value='{_num(v)}'>"
                f"<title>{escape(cat)} · {escape(name)}: {escape(fmt(v))}</title></rect>"
                f"<text class='value' x='{x0 + w + 4:.1f}' y='{y + bar_h - 3}'>"
                f"{escape(fmt(v))}</text>"
            )
            y += bar_h
        y += gap
    svg = (
        f"<svg class='chart bars' viewBox='0 0 {width} {height}' role='img' "
        f"aria-label='chart'>{''.join(parts)}</svg>"
    )
    return svg + (legend(names) if series_col else "")


def swimlane(
    events: Sequence[dict[str, Any]],
    lanes: Sequence[str],
    lane_of: Callable[[dict[str, Any]], str],
    width: int = WIDE,
) -> str:
    """A journey's events on one time axis, one lane per partner type."""
    times = [as_utc(e["occurred_at"]) for e in events]
    if not times:
        return ""
    start, end = min(times), max(times)
    span = max((end - start).total_seconds(), 1.0)
    lane_h, label_w = 34, 110
    height = lane_h * len(lanes) + 24
    x0, x1 = label_w, width - 16
    out = []
    for i, lane in enumerate(lanes):
        y = i * lane_h + lane_h / 2
        out.append(f"<line class='grid' x1='{x0}' x2='{x1}' y1='{y}' y2='{y}'/>")
        out.append(
            f"<text class='label' x='{label_w - 8}' y='{y + 4}' text-anchor='end'>"
            f"{escape(lane)}</text>"
        )
    prev: tuple[float, float] | None = None
    for e, when in zip(events, times, strict=True):
        lane = lane_of(e)
        i = lanes.index(lane) if lane in lanes else len(lanes) - 1
        x = x0 + (x1 - x0) * (when - start).total_seconds() / span
        y = i * lane_h + lane_h / 2
        if prev is not None:
            out.append(
                f"<line class='step' x1='{prev[0]:.1f}' y1='{prev[1]:.1f}' "
                f"x2='{x:.1f}' y2='{y:.1f}'/>"
            )
        prev = (x, y)
    for e, when in zip(events, times, strict=True):
        lane = lane_of(e)
        i = lanes.index(lane) if lane in lanes else len(lanes) - 1
        x = x0 + (x1 - x0) * (when - start).total_seconds() / span
        y = i * lane_h + lane_h / 2
        cls = "event exception" if e.get("exception_reason") else "event"
        out.append(
            f"<circle class='{cls}' cx='{x:.1f}' cy='{y}' r='5' fill='{colour(i)}' "
            f"data-milestone='{escape(str(e['milestone']), quote=True)}'>"
            f"<title>{when:%Y-%m-%d %H:%M:%S} UTC · {escape(str(e['milestone']))} · "
            f"{escape(str(e['partner_id']))}</title></circle>"
        )
    out.append(
        f"<text class='tick' x='{x0}' y='{height - 6}'>{start:%Y-%m-%d %H:%M} UTC</text>"
        f"<text class='tick' x='{x1}' y='{height - 6}' text-anchor='end'>"
        f"{end:%Y-%m-%d %H:%M} UTC</text>"
    )
    return (
        f"<svg class='chart swimlane' viewBox='0 0 {width} {height}' role='img' "
        f"aria-label='journey timeline'>{''.join(out)}</svg>"
    )
