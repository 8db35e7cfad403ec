"""The query API and the built-in web UI, served by whoever owns the store (aiohttp).

In embedded mode only one process may open chDB, so the demo serves this API and the CLI
query commands and the web UI ask it instead of opening the store themselves.

- JSON: ``/api/health``, ``/api/journey?id=``, ``/api/views``, ``/api/panels``,
  ``/api/panels/<name>?hours=&until=&partner=&reason=&responsible=&id=``.
- HTML: ``/`` (partner health), one page per view (``/health``, ``/latency``,
  ``/exceptions``, ``/ownership``, ``/journey``, ``/dead-letters``, ``/stuck``,
  ``/alerts``), styles at ``/static/seamscope.css``.
- Charts: ``/charts/<panel>.svg`` with a page's filters, ``/charts/journey.svg?id=``:
  SVG documents drawn by pygal, which the pages show as images.

Loopback by default. Bound to any other address it needs a token: every request but
``/api/health`` then carries ``Authorization: Bearer <token>`` or ``?token=<token>``
(a browser that opened a page with ``?token=`` gets it as an HttpOnly cookie, so the
links work).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from html import escape
from importlib import resources
from typing import Any

from aiohttp import web

from dashboards.panels import PANELS, run_panel
from dashboards.views import VIEWS
from dashboards.web import BadRequest, Filters, journey_chart, journey_page, panel_chart, view_page
from seamscope.embedded import free_port
from seamscope.network import Network
from sinks.queries import find_alerts, find_journeys, find_orphans, find_stuck, jsonable
from sinks.store import Store

log = logging.getLogger(__name__)

STORE_KEY = web.AppKey("store", Store)
TOKEN_KEY = web.AppKey("token", str)
#: The network config, for the SLA panels and clocks (None: they show what alerts say).
NETWORK_KEY: web.AppKey[Network | None] = web.AppKey("network")
COOKIE = "seamscope_token"

#: No scripts, no inline styles, nothing from elsewhere; pages may not be framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: Charts are SVG documents that pygal styles from within (a <style> element): their
#: responses alone allow inline styles. Scripts stay forbidden (none is sent), and pages
#: show charts as images, where SVG can neither run scripts nor load anything.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TokenRequired(ValueError):
    """Serving on a non-loopback address without a token."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _presented_token(request: web.Request) -> tuple[str, bool]:
    """The token a request carries, and whether it came in the query string."""
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ").strip(), False
    if "token" in request.query:
        return request.query["token"], True
    return request.cookies.get(COOKIE, ""), False


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.app[TOKEN_KEY]
    from_query = False
    if token and request.path != "/api/health":
        given, from_query = _presented_token(request)
        if not hmac.compare_digest(given.encode(), token.encode()):
            return web.json_response(
                {"error": "unauthorized: send Authorization: Bearer <token> or ?token=<token>"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="seamscope"'},
            )
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)  # a chart keeps its own CSP
    if from_query:
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
    return response


# -- JSON -----------------------------------------------------------------------------
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def journey(request: web.Request) -> web.Response:
    any_id = request.query.get("id", "")
    if not any_id.strip():
        return web.json_response({"error": "give an identifier: /api/journey?id=..."}, status=400)
    store = request.app[STORE_KEY]
    journeys = await asyncio.to_thread(find_journeys, store, any_id)
    body: dict[str, Any] = {"query": any_id, "journeys": [j.to_json() for j in journeys]}
    return web.json_response(body, status=200 if journeys else 404)


def _int(request: web.Request, name: str) -> int:
    value = request.query.get(name, "0")
    if not value.isdigit():
        raise web.HTTPBadRequest(text=f"{name} must be a whole number of seconds")
    return int(value)


async def stuck(request: web.Request) -> web.Response:
    q = request.query
    rows = await asyncio.to_thread(
        find_stuck, request.app[STORE_KEY], q.get("partner"), q.get("node"), q.get("stage"),
        _int(request, "older_than_s"),
    )  # fmt: skip
    return web.json_response({"rows": rows})


async def alerts(request: web.Request) -> web.Response:
    open_only = request.query.get("open_only", "").lower() in ("1", "true", "yes")
    rows = await asyncio.to_thread(find_alerts, request.app[STORE_KEY], open_only)
    return web.json_response({"rows": rows})


async def orphans(request: web.Request) -> web.Response:
    rows = await asyncio.to_thread(
        find_orphans, request.app[STORE_KEY], _int(request, "older_than_s")
    )
    return web.json_response({"rows": rows})


async def panels(request: web.Request) -> web.Response:
    return web.json_response(
        [
            {
                "name": p.name,
                "title": p.title,
                "visual": p.visual,
                "description": p.description,
                "parameters": p.parameters,
            }
            for p in PANELS.values()
        ]
    )


async def views(request: web.Request) -> web.Response:
    return web.json_response(
        [
            {
                "slug": v.slug,
                "title": v.title,
                "description": v.description,
                "panels": list(v.panels),
                "filters": list(v.filters),
                "planned": v.planned,
                "live": v.live,
            }
            for v in VIEWS.values()
        ]
    )


async def panel(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in PANELS:
        return web.json_response({"error": f"no panel {name!r}"}, status=404)
    try:
        filters = Filters.from_query(request.query)
    except BadRequest as exc:
        return web.json_response({"error": str(exc)}, status=400)
    network = request.app[NETWORK_KEY]
    params = filters.parameters(network.sla if network else None)
    rows = await asyncio.to_thread(run_panel, request.app[STORE_KEY], name, params)
    return web.json_response(
        {
            "panel": name,
            "parameters": jsonable({k: params[k] for k in PANELS[name].parameters}),
            "rows": [jsonable(r) for r in rows],
        }
    )


# -- HTML -----------------------------------------------------------------------------
def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/health" + (f"?{request.query_string}" if request.query_string else ""))


async def view(request: web.Request) -> web.Response:
    slug = request.match_info["view"]
    if slug not in VIEWS:
        raise web.HTTPNotFound(text=f"no view {slug!r}")
    try:
        filters = Filters.from_query(request.query)
    except BadRequest as exc:
        return _html(f"<!doctype html><p>Bad filter: {escape(str(exc))}</p>", status=400)
    store, network = request.app[STORE_KEY], request.app[NETWORK_KEY]
    if slug == "journey":
        status, text = await asyncio.to_thread(journey_page, store, filters, network)
        return _html(text, status)
    text = await asyncio.to_thread(view_page, store, VIEWS[slug], filters, network)
    return _html(text)


def _svg(text: str) -> web.Response:
    return web.Response(
        text=text,
        content_type="image/svg+xml",
        charset="utf-8",
        headers={"Content-Security-Policy": CHART_CSP, "Cache-Control": "private, max-age=60"},
    )


async def chart(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    try:
        filters = Filters.from_query(request.query)
    except BadRequest as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    store, network = request.app[STORE_KEY], request.app[NETWORK_KEY]
    if name == "journey":
        text = await asyncio.to_thread(journey_chart, store, filters.id.strip(), network)
        if not text:
            raise web.HTTPNotFound(text="no journey has this identifier")
        return _svg(text)
    sla = network.sla if network else None
    try:
        text = await asyncio.to_thread(panel_chart, store, name, filters, sla)
    except (KeyError, ValueError):
        raise web.HTTPNotFound(text=f"no chart {name!r}") from None
    return _svg(text)


async def stylesheet(request: web.Request) -> web.Response:
    css = (resources.files("dashboards") / "static" / "seamscope.css").read_text("utf-8")
    return web.Response(text=css, content_type="text/css", headers={"Cache-Control": "max-age=300"})


def make_app(
    store: Store, token: str | None = None, network: Network | None = None
) -> web.Application:
    app = web.Application(middlewares=[guard])
    app[STORE_KEY] = store
    app[TOKEN_KEY] = token or ""
    app[NETWORK_KEY] = network
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/journey", journey)
    app.router.add_get("/api/stuck", stuck)
    app.router.add_get("/api/alerts", alerts)
    app.router.add_get("/api/orphans", orphans)
    app.router.add_get("/api/views", views)
    app.router.add_get("/api/panels", panels)
    app.router.add_get("/api/panels/{name}", panel)
    app.router.add_get("/static/seamscope.css", stylesheet)
    app.router.add_get("/charts/{name}.svg", chart)
    app.router.add_get("/", index)
    app.router.add_get("/{view}", view)
    return app


async def serve(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    network: Network | None = None,
) -> tuple[web.AppRunner, str]:
    """Start serving the API and the web UI; returns the runner (to clean up) and the URL.

    Off loopback a token is required (``TokenRequired`` otherwise); on loopback one is
    optional and, when given, enforced the same way. ``network`` (the network config)
    gives the SLA panels their stages and the journey pages their deadlines.
    """
    if not is_loopback(host) and not token:
        raise TokenRequired(
            f"serving on {host} (not loopback) needs a token: set SEAMSCOPE_WEB_TOKEN "
            "(or pass --token), or bind 127.0.0.1"
        )
    runner = web.AppRunner(make_app(store, token, network), access_log=None)
    await runner.setup()
    port = port or free_port()
    site = web.TCPSite(runner, host, port)
    await site.start()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    log.info("query API and web UI on %s", url)
    return runner, url
