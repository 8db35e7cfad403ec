"""The built-in web UI: one server-rendered HTML page per view, charts as inline SVG.

Pages are plain HTML and CSS (no script): filters are GET forms, links carry the window,
so every page is a URL that can be shared. Everything shown comes from the panels'
queries (``dashboards.panels``) or ``sinks.queries.find_journeys``; every value from a
request reaches ClickHouse as a bound parameter and reaches the page escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from clickhouse_connect.driver.exceptions import ClickHouseError

from dashboards import charts
from dashboards.panels import PANELS, STAGES, WINDOWS_H, Panel, run_panel, window_parameters
from dashboards.views import VIEWS, View
from sinks.queries import Journey, find_journeys, jsonable
from sinks.store import Store, StoreError

#: Longest text accepted in a filter or the search box; longer input finds nothing.
MAX_TEXT = 200
DEFAULT_HOURS = 24.0
LANES = ("marketplace", "warehouse", "carrier")


class BadRequest(ValueError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Filters:
    """What a page shows: the window, a partner, and the view's own filters."""

    hours: float = DEFAULT_HOURS
    until: datetime | None = None  # None: up to now
    partner: str = ""
    reason: str = ""
    responsible: str = ""
    id: str = ""

    @classmethod
    def from_query(cls, q: Mapping[str, str]) -> Filters:
        try:
            hours = float(q.get("hours") or DEFAULT_HOURS)
        except ValueError:
            raise BadRequest("hours must be a number") from None
        if not math.isfinite(hours) or not 0.05 <= hours <= 24 * 400:
            raise BadRequest("hours must be between 0.05 and 9600")
        until = None
        if q.get("until"):
            try:
                until = datetime.fromisoformat(q["until"].replace("Z", "+00:00"))
            except ValueError:
                raise BadRequest("until must be an ISO 8601 time") from None
            until = until.replace(tzinfo=UTC) if until.tzinfo is None else until
        text = {k: q.get(k, "") for k in ("partner", "reason", "responsible", "id")}
        for k, v in text.items():
            if len(v) > MAX_TEXT and k != "id":
                raise BadRequest(f"{k} is longer than {MAX_TEXT} characters")
        return cls(hours=hours, until=until, **text)

    def parameters(self) -> dict[str, Any]:
        return window_parameters(
            self.hours, self.until, self.partner, self.reason, self.responsible, self.id
        )

    def query(self, **changes: Any) -> str:
        """This page's filters as a query string, with ``changes``; defaults left out."""
        f = replace(self, **changes)
        items = {
            "hours": "" if f.hours == DEFAULT_HOURS else _num(f.hours),
            "until": f.until.isoformat() if f.until else "",
            "partner": f.partner,
            "reason": f.reason,
            "responsible": f.responsible,
            "id": f.id,
        }
        text = urlencode({k: v for k, v in items.items() if v})
        return f"?{text}" if text else ""


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


# -- formatting -----------------------------------------------------------------------
def duration(seconds: float) -> str:
    s = abs(seconds)
    sign = "-" if seconds < 0 else ""
    if s < 90:
        return f"{sign}{s:.0f}s"
    if s < 90 * 60:
        return f"{sign}{s / 60:.0f}m"
    if s < 36 * 3600:
        return f"{sign}{s / 3600:.1f}h"
    return f"{sign}{s / 86400:.1f}d"


def unit_of(panel: Panel, column: str) -> str:
    if column.endswith("_pct"):
        return "%"
    if column.endswith("_s"):
        return "s"
    return ""


def fmt_value(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return f"{charts.as_utc(value):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if unit == "s":
            return duration(float(value))
        if unit == "%":
            return f"{value:.2f}".rstrip("0").rstrip(".") + " %"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.2f}"
        return f"{int(value):,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value) if value != "" else "—"


def raw_value(value: Any) -> str:
    """A cell's value as the JSON API gives it, for ``data-value``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return str(jsonable({"v": value})["v"])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def label_value(column: str, value: Any) -> str:
    if value in ("", None):
        return "(unknown)" if column == "partner_id" else "(none)"
    return str(value)


# -- page frame -----------------------------------------------------------------------
def page(title: str, body: str, current: str, filters: Filters) -> str:
    nav = []
    for v in VIEWS.values():
        cls = ["current"] if v.slug == current else []
        if v.planned:
            cls.append("planned")
        href = f"/{v.slug}{filters.query(reason='', responsible='', id='')}"
        nav.append(
            f"<a class='{' '.join(cls)}' href='{escape(href, quote=True)}'"
            f"{' aria-current=page' if v.slug == current else ''}>{escape(v.title)}</a>"
        )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Seamscope</title>
<link rel="stylesheet" href="/static/seamscope.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Seamscope</a>
  <nav>{"".join(nav)}</nav>
  <form class="search" action="/journey" method="get" role="search">
    <input type="search" name="id" placeholder="Order, tracking no., SSCC…"
      aria-label="Find a journey by any identifier" maxlength="{MAX_TEXT}">
    <button type="submit">Find</button>
  </form>
</header>
<main>
{body}
</main>
</body>
</html>
"""


def filter_form(view: View, filters: Filters, partners: list[str]) -> str:
    windows = []
    for h in WINDOWS_H:
        label = f"{h} h" if h < 48 else f"{h // 24} days"
        sel = " selected" if math.isclose(h, filters.hours) else ""
        windows.append(f"<option value='{h}'{sel}>last {label}</option>")
    if not any(math.isclose(h, filters.hours) for h in WINDOWS_H):
        hours = _num(filters.hours)
        windows.append(f"<option value='{hours}' selected>{hours} h</option>")
    options = ["<option value=''>all partners</option>"]
    for p in sorted(set(partners) | ({filters.partner} if filters.partner else set())):
        sel = " selected" if p == filters.partner else ""
        text = escape(label_value("partner_id", p))
        options.append(f"<option value='{escape(p, quote=True)}'{sel}>{text}</option>")
    extra = ""
    for name in view.filters:
        if name == "id":
            continue
        value = getattr(filters, name)
        extra += (
            f"<label>{escape(name)} <input name='{name}' value='{escape(value, quote=True)}' "
            f"maxlength='{MAX_TEXT}' placeholder='any'></label>"
        )
    until = ""
    if filters.until:
        value = escape(filters.until.isoformat(), quote=True)
        until = f"<input type='hidden' name='until' value='{value}'>"
    return f"""<form class="filters" method="get" action="/{view.slug}">
  <label>window <select name="hours">{"".join(windows)}</select></label>
  <label>partner <select name="partner">{"".join(options)}</select></label>
  {extra}{until}
  <button type="submit">Apply</button>
</form>"""


def window_line(filters: Filters) -> str:
    p = filters.parameters()
    live = "" if filters.until else " (live: reload for the latest)"
    return (
        f"<p class='window'>From {p['since']:%Y-%m-%d %H:%M} to {p['until']:%Y-%m-%d %H:%M} "
        f"UTC{live}; time buckets of {duration(p['bucket'])}.</p>"
    )


# -- panels ---------------------------------------------------------------------------
def table(panel: Panel, rows: list[dict[str, Any]], filters: Filters) -> str:
    if not rows:
        return "<p class='empty'>No rows in this window.</p>"
    cols = list(rows[0])
    head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in cols)
    body = []
    for r in rows:
        cells = []
        for c in cols:
            v = r[c]
            text = escape(fmt_value(v, unit_of(panel, c)))
            if c in panel.links and v not in ("", None):
                href = "/" + panel.links[c].format(
                    **{k: quote(str(x), safe="") for k, x in r.items()}
                )
                sep = "&" if "?" in href else "?"
                keep = filters.query(partner="", reason="", responsible="", id="")
                href += (sep + keep[1:]) if keep else ""
                text = f"<a href='{escape(href, quote=True)}'>{text}</a>"
            num = " class='num'" if isinstance(v, int | float) and not isinstance(v, bool) else ""
            cells.append(
                f"<td{num} data-col='{escape(c, quote=True)}' "
                f"data-value='{escape(raw_value(v), quote=True)}'>{text}</td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<div class='table-wrap'><table class='data' data-rows='{len(rows)}'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def stats(panel: Panel, rows: list[dict[str, Any]]) -> str:
    row = rows[0] if rows else {}
    items = []
    for c in panel.y:
        v = row.get(c)
        items.append(
            f"<div class='stat'><dt>{escape(c.replace('_', ' '))}</dt>"
            f"<dd data-col='{escape(c, quote=True)}' "
            f"data-value='{escape(raw_value(v), quote=True)}'>"
            f"{escape(fmt_value(v, unit_of(panel, c)))}</dd></div>"
        )
    return f"<dl class='stats'>{''.join(items)}</dl>"


def render_panel(panel: Panel, rows: list[dict[str, Any]], filters: Filters) -> str:
    p = filters.parameters()
    y = panel.y[0] if panel.y else ""
    canvas = charts.WIDE if panel.width > 12 else charts.NARROW

    def fmt(v: float) -> str:
        return fmt_value(v, unit_of(panel, y))

    if panel.visual == "stat":
        inner = stats(panel, rows)
    elif panel.visual == "timeseries":
        chart = charts.timeseries(
            rows, panel.x[0], y, panel.series, p["since"], p["until"], p["bucket"], fmt,
            zero_fill=panel.zero_fill, log_scale=panel.log_scale, width=canvas,
        )  # fmt: skip
        inner = chart + (
            f"<details><summary>Data ({len(rows)} rows)</summary>"
            f"{table(panel, rows, filters)}</details>"
            if rows
            else ""
        )
    elif panel.visual == "bar":
        chart = charts.bars(rows, panel.x, y, panel.series, fmt, label_value, width=canvas)
        inner = chart + (table(panel, rows, filters) if rows else "")
    else:
        inner = table(panel, rows, filters)
    return (
        f"<section class='panel w{panel.width}' id='panel-{panel.name}' "
        f"data-panel='{panel.name}' data-visual='{panel.visual}' data-rows='{len(rows)}'>"
        f"<h2>{escape(panel.title)}</h2><p class='desc'>{escape(panel.description)}</p>"
        f"{inner}</section>"
    )


def panel_error(panel: Panel, exc: Exception) -> str:
    return (
        f"<section class='panel w{panel.width} failed' id='panel-{panel.name}' "
        f"data-panel='{panel.name}'><h2>{escape(panel.title)}</h2>"
        f"<p class='error'>This panel's query failed: {escape(str(exc)[:300])}</p></section>"
    )


def partner_options(store: Store) -> list[str]:
    rows = store.rows(
        "SELECT DISTINCT partner_id FROM partner_last_seen "
        "UNION DISTINCT SELECT DISTINCT partner_id FROM dead_letter_minute"
    )
    return sorted(str(r["partner_id"]) for r in rows)


def view_page(store: Store, view: View, filters: Filters) -> str:
    """A view's page: its filters and every panel with real rows (run in this thread)."""
    if view.slug == "journey":
        return journey_page(store, filters)[1]
    head = f"<h1>{escape(view.title)}</h1><p class='lede'>{escape(view.description)}</p>"
    if view.planned:
        body = (
            f"{head}<section class='panel planned w24' data-planned='yes'>"
            f"<h2>Not available yet</h2><p>This view {escape(view.planned)}</p>"
            "<p>Meanwhile: <a href='/health'>Partner health</a> shows silent partners "
            "(time since last report) and <a href='/latency'>Latency</a> the stage "
            "durations.</p></section>"
        )
        return page(view.title, body, view.slug, filters)
    sections = []
    for name in view.panels:
        panel = PANELS[name]
        try:
            rows = run_panel(store, name, filters.parameters())
        except (ClickHouseError, StoreError) as exc:
            sections.append(panel_error(panel, exc))
            continue
        sections.append(render_panel(panel, rows, filters))
    form = filter_form(view, filters, partner_options(store))
    body = f"{head}{form}{window_line(filters)}<div class='grid'>{''.join(sections)}</div>"
    return page(view.title, body, view.slug, filters)


# -- journey --------------------------------------------------------------------------
def recent_orders(store: Store, limit: int = 12) -> list[dict[str, Any]]:
    return store.rows(
        "SELECT id_value, max(occurred_at) AS at FROM identifiers "
        "WHERE id_type = 'order' AND ingested_at >= now64(3) - INTERVAL 7 DAY "
        "GROUP BY id_value ORDER BY at DESC, id_value LIMIT {n:UInt32}",
        {"n": limit},
    )


def stage_durations(events: list[dict[str, Any]]) -> list[tuple[str, float]]:
    first: dict[str, datetime] = {}
    for e in events:
        at = charts.as_utc(e["occurred_at"])
        m = str(e["milestone"])
        if m not in first or at < first[m]:
            first[m] = at
    return [
        (f"{a} → {b}", (first[b] - first[a]).total_seconds())
        for a, b in STAGES
        if a in first and b in first
    ]


def journey_html(j: Journey, filters: Filters) -> str:
    events = [jsonable(e) for e in j.events]
    chips = "".join(
        f"<li><span class='type'>{escape(i['type'])}</span> "
        f"<a href='/journey?id={quote(i['value'], safe='')}'>{escape(i['value'])}</a></li>"
        for i in j.identifiers
    )
    aliases = (
        f"<p class='aliases'>Merged from: {escape(', '.join(j.aliases))}</p>" if j.aliases else ""
    )
    stages = "".join(
        f"<div class='stat'><dt>{escape(name)}</dt><dd data-stage='{escape(name, quote=True)}' "
        f"data-value='{_num(s)}'>{escape(duration(s))}</dd></div>"
        for name, s in stage_durations(events)
    )
    rows = []
    for e in events:
        detail = e.get("raw_status") or e.get("description") or ""
        exc = ""
        if e.get("exception_reason"):
            exc = (
                f"<span class='badge exception'>{escape(str(e['exception_reason']))} / "
                f"{escape(str(e['exception_responsible']))}</span>"
            )
        flags = "".join(
            f"<span class='badge flag'>{escape(str(f))}</span>" for f in e.get("quality_flags", [])
        )
        rows.append(
            f"<tr class='lane-{escape(str(e['partner_type']), quote=True)}' "
            f"data-event='{escape(str(e['event_id']), quote=True)}'>"
            f"<td>{escape(fmt_value(charts.as_utc(e['occurred_at'])))}</td>"
            f"<td class='milestone'>{escape(str(e['milestone']))}</td>"
            f"<td>{escape(str(e['partner_id']))}</td><td>{escape(str(e['partner_type']))}</td>"
            f"<td>{escape(str(e['node_id']))} ({escape(str(e['ownership']))})</td>"
            f"<td>{escape(str(detail))} {exc}{flags}</td></tr>"
        )
    lane = charts.swimlane(events, LANES, lambda e: str(e["partner_type"]))
    return f"""<section class="journey panel w24" data-journey="{escape(j.journey_id, quote=True)}"
  data-events="{len(events)}">
<h2>Journey <code>{escape(j.journey_id)}</code></h2>
<ul class="identifiers">{chips}</ul>{aliases}
<dl class="stats stages">{stages}</dl>
{lane}
<div class="table-wrap"><table class="data timeline">
<thead><tr><th>occurred (UTC)</th><th>milestone</th><th>partner</th><th>type</th>
<th>node (ownership)</th><th>detail</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
</section>"""


def journey_page(store: Store, filters: Filters) -> tuple[int, str]:
    """The search page: (HTTP status, HTML). Unknown identifiers say 'not found' (404)."""
    view = VIEWS["journey"]
    query = filters.id.strip()
    form = f"""<form class="search big" action="/journey" method="get" role="search">
  <input type="search" name="id" value="{escape(query, quote=True)}" maxlength="{MAX_TEXT}"
    placeholder="Order number, marketplace order, fulfilment, SSCC, tracking number…"
    aria-label="identifier" autofocus>
  <button type="submit">Find journey</button>
</form>"""
    head = f"<h1>{escape(view.title)}</h1><p class='lede'>{escape(view.description)}</p>{form}"
    status = 200
    if not query:
        recent = recent_orders(store)
        links = "".join(
            f"<li><a href='/journey?id={quote(str(r['id_value']), safe='')}'>"
            f"order {escape(str(r['id_value']))}</a></li>"
            for r in recent
        )
        body = head + (
            f"<section class='panel w24'><h2>Recent orders</h2><ul class='recent'>{links}</ul>"
            "</section>"
            if links
            else "<p class='empty'>No orders have landed yet.</p>"
        )
    else:
        journeys = find_journeys(store, query) if len(query) <= MAX_TEXT else []
        if journeys:
            body = head + "".join(journey_html(j, filters) for j in journeys)
        else:
            status = 404
            body = head + (
                f"<p class='not-found' data-not-found='yes'>Not found: no journey has the "
                f"identifier “{escape(query[:MAX_TEXT])}”.</p>"
            )
    return status, page(view.title, body, view.slug, replace(filters, id=""))
