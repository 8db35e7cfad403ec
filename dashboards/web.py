"""The built-in web UI: one server-rendered HTML page per view, charts as SVG images.

Pages are plain HTML and CSS (no script): filters are GET forms, links carry the window,
so every page is a URL that can be shared. Charts are pygal SVG documents served at
``/charts/<panel>.svg`` with the page's filters and its time pinned, so a chart shows
the rows of the table beside it. Everything shown comes from the panels' queries
(``dashboards.panels``), ``sinks.queries.find_journeys`` and the journey's SLA clocks
(``dashboards.clocks``); every value from a request reaches ClickHouse as a bound
parameter and reaches the page escaped.
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
from dashboards.clocks import StageClock, journey_alerts, journey_clocks, promises
from dashboards.panels import PANELS, STAGES, WINDOWS_H, Panel, run_panel, window_parameters
from dashboards.views import VIEWS, View
from seamscope.network import Network, Sla
from sinks.queries import Journey, as_utc, find_journeys, jsonable
from sinks.store import Store, StoreError
from streams.calendar import parse_duration

#: Longest text accepted in a filter or the search box; longer input finds nothing.
MAX_TEXT = 200
DEFAULT_HOURS = 24.0
LANES = ("marketplace", "warehouse", "carrier")
#: Alert statuses the alerts view filters by ("open" includes escalated ones).
STATUSES = ("open", "escalated", "resolved")
TEXT_FILTERS = ("partner", "reason", "responsible", "id", "node", "stage", "older_than", "status")


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
    node: str = ""
    stage: str = ""
    older_than: str = ""  # stuck at least this long: 90m, 6h, 2d or seconds
    status: str = ""

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
        text = {k: q.get(k, "") for k in TEXT_FILTERS}
        for k, v in text.items():
            if len(v) > MAX_TEXT and k != "id":
                raise BadRequest(f"{k} is longer than {MAX_TEXT} characters")
        if text["status"] and text["status"] not in STATUSES:
            raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
        filters = cls(hours=hours, until=until, **text)
        filters.min_age_s  # noqa: B018 - validates older_than
        return filters

    @property
    def min_age_s(self) -> int:
        if not self.older_than.strip():
            return 0
        try:
            seconds = parse_duration(self.older_than.strip()).total_seconds()
        except ValueError:
            raise BadRequest("older than must be a duration like 90m, 6h or 2d") from None
        if not 0 <= seconds < 2**32:
            raise BadRequest("older than must be between 0 and 136 years")
        return int(seconds)

    def parameters(self, sla: Sla | None = None) -> dict[str, Any]:
        return window_parameters(
            self.hours, self.until, self.partner, self.reason, self.responsible, self.id,
            self.node, self.stage, self.min_age_s, self.status, sla,
        )  # fmt: skip

    def pinned(self) -> Filters:
        """The same filters with the window's end fixed (now when live)."""
        return replace(self, until=self.until or datetime.now(UTC).replace(microsecond=0))

    def query(self, **changes: Any) -> str:
        """This page's filters as a query string, with ``changes``; defaults left out."""
        f = replace(self, **changes)
        items = {
            "hours": "" if f.hours == DEFAULT_HOURS else _num(f.hours),
            "until": f.until.isoformat() if f.until else "",
            **{k: getattr(f, k) for k in TEXT_FILTERS},
        }
        text = urlencode({k: v for k, v in items.items() if v})
        return f"?{text}" if text else ""

    def without_view_filters(self) -> Filters:
        """The window and partner only: what carries over from one view to another."""
        return Filters(hours=self.hours, until=self.until, partner=self.partner)


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
        return f"{as_utc(value):%Y-%m-%d %H:%M:%S}"
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
        href = f"/{v.slug}{filters.without_view_filters().query()}"
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


_FILTER_LABELS = {"older_than": "stuck for at least", "status": "status"}


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
        label = escape(_FILTER_LABELS.get(name, name))
        if name == "status":
            choices = "".join(
                f"<option value='{s}'{' selected' if s == value else ''}>{s}</option>"
                for s in STATUSES
            )
            extra += (
                f"<label>{label} <select name='status'><option value=''>any</option>"
                f"{choices}</select></label>"
            )
            continue
        hint = "e.g. 6h" if name == "older_than" else "any"
        extra += (
            f"<label>{label} <input name='{name}' value='{escape(value, quote=True)}' "
            f"maxlength='{MAX_TEXT}' placeholder='{hint}'></label>"
        )
    window = (
        ""
        if view.live
        else f"<label>window <select name='hours'>{''.join(windows)}</select></label>"
    )
    until = ""
    if filters.until and not view.live:
        value = escape(filters.until.isoformat(), quote=True)
        until = f"<input type='hidden' name='until' value='{value}'>"
    return f"""<form class="filters" method="get" action="/{view.slug}">
  {window}
  <label>partner <select name="partner">{"".join(options)}</select></label>
  {extra}{until}
  <button type="submit">Apply</button>
</form>"""


def window_line(filters: Filters, pinned: Filters, live_view: bool = False) -> str:
    p = pinned.parameters()
    if live_view:
        return (
            f"<p class='window'>As of {p['until']:%Y-%m-%d %H:%M:%S} UTC "
            "(live: reload for the latest).</p>"
        )
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
                keep = filters.without_view_filters().query(partner="")
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


def chart_url(panel: Panel, pinned: Filters) -> str:
    return f"/charts/{panel.name}.svg{pinned.query()}"


def chart_svg(panel: Panel, rows: list[dict[str, Any]], parameters: dict[str, Any]) -> str:
    """A timeseries or bar panel's rows drawn as an SVG document."""
    y = panel.y[0] if panel.y else ""
    canvas = charts.WIDE if panel.width > 12 else charts.NARROW

    def fmt(v: float) -> str:
        return fmt_value(v, unit_of(panel, y))

    p = parameters
    if panel.visual == "timeseries":
        return charts.timeseries(
            rows, panel.x[0], y, panel.series, p["since"], p["until"], p["bucket"], fmt,
            zero_fill=panel.zero_fill, log_scale=panel.log_scale, width=canvas,
        )  # fmt: skip
    if panel.visual == "bar":
        return charts.bars(rows, panel.x, y, panel.series, fmt, label_value, width=canvas)
    raise ValueError(f"panel {panel.name!r} is a {panel.visual}, not a chart")


def panel_chart(store: Store, name: str, filters: Filters, sla: Sla | None) -> str:
    """The SVG of a chart panel for these filters (``KeyError``, ``ValueError`` when
    there is no such chart)."""
    panel = PANELS[name]
    if panel.visual not in ("timeseries", "bar"):
        raise ValueError(f"panel {name!r} is a {panel.visual}, not a chart")
    parameters = filters.parameters(sla)
    return chart_svg(panel, run_panel(store, name, parameters), parameters)


def chart_img(panel: Panel, pinned: Filters) -> str:
    return (
        f"<img class='chart' data-chart='{panel.name}' "
        f"src='{escape(chart_url(panel, pinned), quote=True)}' "
        f"alt='{escape(panel.title, quote=True)} (chart; the data is in the table)'>"
    )


def render_panel(
    panel: Panel, rows: list[dict[str, Any]], filters: Filters, pinned: Filters | None = None
) -> str:
    """A panel's section; charts are images of ``/charts/<panel>.svg`` for ``pinned``
    (these filters with the window's end fixed), so they draw these very rows."""
    pinned = pinned or filters.pinned()
    if panel.visual == "stat":
        inner = stats(panel, rows)
    elif panel.visual == "timeseries":
        inner = (
            chart_img(panel, pinned) + f"<details><summary>Data ({len(rows)} rows)</summary>"
            f"{table(panel, rows, filters)}</details>"
            if rows
            else "<p class='empty'>No data in this window.</p>"
        )
    elif panel.visual == "bar":
        inner = (
            chart_img(panel, pinned) + table(panel, rows, filters)
            if rows
            else "<p class='empty'>No data in this window.</p>"
        )
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


def view_page(store: Store, view: View, filters: Filters, network: Network | None = None) -> str:
    """A view's page: its filters and every panel with real rows (run in this thread)."""
    if view.slug == "journey":
        return journey_page(store, filters, network)[1]
    head = f"<h1>{escape(view.title)}</h1><p class='lede'>{escape(view.description)}</p>"
    if view.planned:
        body = (
            f"{head}<section class='panel planned w24' data-planned='yes'>"
            f"<h2>Not available yet</h2><p>This view {escape(view.planned)}</p></section>"
        )
        return page(view.title, body, view.slug, filters)
    sla = network.sla if network else None
    pinned = filters.pinned()  # every panel and chart of the page sees the same window
    sections = []
    for name in view.panels:
        panel = PANELS[name]
        try:
            rows = run_panel(store, name, pinned.parameters(sla))
        except (ClickHouseError, StoreError) as exc:
            sections.append(panel_error(panel, exc))
            continue
        sections.append(render_panel(panel, rows, filters, pinned))
    form = filter_form(view, filters, partner_options(store))
    window = window_line(filters, pinned, view.live)
    body = f"{head}{form}{window}<div class='grid'>{''.join(sections)}</div>"
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
        at = as_utc(e["occurred_at"])
        m = str(e["milestone"])
        if m not in first or at < first[m]:
            first[m] = at
    return [
        (f"{a} → {b}", (first[b] - first[a]).total_seconds())
        for a, b in STAGES
        if a in first and b in first
    ]


#: Identifier types of handling units: what a package or a carrier leg is known by.
UNIT_TYPES = ("fulfillment", "shipment", "package", "sscc", "tracking_number")


def handling_units(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Packages and carrier legs: each handling-unit identifier, who reported on it,
    and how far it got (its last path milestone)."""
    units: dict[str, dict[str, Any]] = {}
    for e in events:
        for key in e.get("identifiers", []):
            id_type, issuer, value = key.split(":", 2)
            if id_type not in UNIT_TYPES:
                continue
            u = units.setdefault(
                key,
                {"type": id_type, "issuer": issuer, "value": value, "partners": set(),
                 "first": None, "last": None, "last_milestone": "", "events": 0},
            )  # fmt: skip
            at = as_utc(e["occurred_at"])
            u["partners"].add(str(e["partner_id"]))
            u["events"] += 1
            u["first"] = min(u["first"] or at, at)
            if u["last"] is None or at >= u["last"]:
                u["last"], u["last_milestone"] = at, str(e["milestone"])
    order = {t: i for i, t in enumerate(UNIT_TYPES)}
    return sorted(units.values(), key=lambda u: (order[u["type"]], u["first"], u["value"]))


def _units_html(events: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr data-unit='{escape(u['type'] + ':' + u['value'], quote=True)}'>"
        f"<td>{escape(u['type'])}</td>"
        f"<td><a href='/journey?id={quote(u['value'], safe='')}'>{escape(u['value'])}</a></td>"
        f"<td>{escape(u['issuer'] or '—')}</td><td>{escape(', '.join(sorted(u['partners'])))}</td>"
        f"<td class='num'>{u['events']}</td><td>{escape(fmt_value(u['first']))}</td>"
        f"<td>{escape(u['last_milestone'])} at {escape(fmt_value(u['last']))}</td></tr>"
        for u in handling_units(events)
    )
    if not rows:
        return ""
    return f"""<h3>Packages and carrier legs</h3>
<div class="table-wrap"><table class="data units">
<thead><tr><th>kind</th><th>identifier</th><th>issuer</th><th>reported by</th><th>events</th>
<th>first seen (UTC)</th><th>last</th></tr></thead><tbody>{rows}</tbody></table></div>"""


def _clocks_html(clocks: list[StageClock], now: datetime) -> str:
    if not clocks:
        return "<p class='empty'>No SLA clock has started for this journey.</p>"
    rows = []
    for c in clocks:
        if c.deadline is None:
            left = "—"
        elif c.verdict == "resolved":
            left = "the partner spoke again"
        elif c.ended_at is not None:
            left = f"ended {duration((c.deadline - c.ended_at).total_seconds())} before"
            if c.ended_at > c.deadline:
                left = f"ended {duration((c.ended_at - c.deadline).total_seconds())} late"
        elif now > c.deadline:
            left = f"{duration((now - c.deadline).total_seconds())} overdue"
        else:
            left = f"due in {duration((c.deadline - now).total_seconds())}"
        alert = f" · alert {c.alert_status}" if c.alert_status else ""
        held = f" ({c.held_by})" if c.held_by else ""
        deadline = raw_value(c.deadline)
        rows.append(
            f"<tr class='verdict-{c.verdict}' data-stage='{escape(c.stage, quote=True)}' "
            f"data-deadline='{escape(deadline, quote=True)}' data-verdict='{c.verdict}'>"
            f"<td>{escape(c.stage)}</td><td>{escape(c.holder or '—')}{escape(held)}</td>"
            f"<td>{escape(fmt_value(c.started_at))}</td>"
            f"<td class='deadline'>{escape(fmt_value(c.deadline))}</td>"
            f"<td>{escape(fmt_value(c.ended_at))}</td>"
            f"<td><span class='badge verdict {c.verdict}'>{c.verdict}</span> {escape(left)}"
            f"{escape(alert)}</td><td>{escape(c.source)}</td></tr>"
        )
    return f"""<div class="table-wrap"><table class="data sla">
<thead><tr><th>SLA stage</th><th>held by</th><th>started (UTC)</th><th>deadline (UTC)</th>
<th>ended (UTC)</th><th>verdict</th><th>deadline from</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>"""


def journey_clocks_of(
    store: Store, j: Journey, network: Network | None, now: datetime
) -> list[StageClock]:
    alerts = journey_alerts(store, [j.journey_id, *j.aliases])
    promised = promises(store, [str(e["event_id"]) for e in j.events]) if network else {}
    return journey_clocks(network, j.journey_id, j.events, alerts, promised, now)


def journey_chart(store: Store, any_id: str, network: Network | None) -> str:
    """The swimlane SVG of the journey an identifier belongs to (the first, when several),
    with its SLA deadlines; empty when there is none."""
    journeys = find_journeys(store, any_id) if len(any_id) <= MAX_TEXT else []
    if not journeys:
        return ""
    j = journeys[0]
    now = datetime.now(UTC)
    clocks = journey_clocks_of(store, j, network, now)
    deadlines = [(c.deadline, c.holder, c.stage) for c in clocks if c.deadline is not None]
    return charts.swimlane(j.events, LANES, lambda e: str(e["partner_type"]), deadlines)


def journey_html(j: Journey, clocks: list[StageClock], now: datetime) -> str:
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
            f"<td>{escape(fmt_value(as_utc(e['occurred_at'])))}</td>"
            f"<td class='milestone'>{escape(str(e['milestone']))}</td>"
            f"<td>{escape(str(e['partner_id']))}</td><td>{escape(str(e['partner_type']))}</td>"
            f"<td>{escape(str(e['node_id']))} ({escape(str(e['ownership']))})</td>"
            f"<td>{escape(str(detail))} {exc}{flags}</td></tr>"
        )
    src = f"/charts/journey.svg?id={quote(j.journey_id, safe='')}"
    lane = (
        f"<img class='chart swimlane' data-chart='journey' src='{escape(src, quote=True)}' "
        "alt='The journey on a time axis, one lane per partner type, with its SLA deadlines'>"
    )
    return f"""<section class="journey panel w24" data-journey="{escape(j.journey_id, quote=True)}"
  data-events="{len(events)}" data-deadlines="{sum(c.deadline is not None for c in clocks)}">
<h2>Journey <code>{escape(j.journey_id)}</code></h2>
<ul class="identifiers">{chips}</ul>{aliases}
<dl class="stats stages">{stages}</dl>
{lane}
<h3>SLA clocks</h3>
{_clocks_html(clocks, now)}
{_units_html(events)}
<h3>Events</h3>
<div class="table-wrap"><table class="data timeline">
<thead><tr><th>occurred (UTC)</th><th>milestone</th><th>partner</th><th>type</th>
<th>node (ownership)</th><th>detail</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
</section>"""


def journey_page(store: Store, filters: Filters, network: Network | None = None) -> tuple[int, str]:
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
            now = datetime.now(UTC)
            body = head + "".join(
                journey_html(j, journey_clocks_of(store, j, network, now), now) for j in journeys
            )
        else:
            status = 404
            body = head + (
                f"<p class='not-found' data-not-found='yes'>Not found: no journey has the "
                f"identifier “{escape(query[:MAX_TEXT])}”.</p>"
            )
    return status, page(view.title, body, view.slug, replace(filters, id=""))
