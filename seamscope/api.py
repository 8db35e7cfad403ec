"""The query API the store's owner serves on loopback (JSON over HTTP).

In embedded mode only one process may open chDB, so the demo serves this API and the CLI
query commands (and later the web UI) ask it instead of opening the store themselves.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from dashboards.panels import PANELS, run_panel
from seamscope.embedded import free_port
from sinks.queries import find_journeys, jsonable
from sinks.store import Store

log = logging.getLogger(__name__)

STORE_KEY = web.AppKey("store", Store)


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


async def panels(request: web.Request) -> web.Response:
    return web.json_response(
        [
            {"name": p.name, "title": p.title, "visual": p.visual, "description": p.description}
            for p in PANELS.values()
        ]
    )


async def panel(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in PANELS:
        return web.json_response({"error": f"no panel {name!r}"}, status=404)
    rows = await asyncio.to_thread(run_panel, request.app[STORE_KEY], name)
    return web.json_response({"panel": name, "rows": [jsonable(r) for r in rows]})


def make_app(store: Store) -> web.Application:
    app = web.Application()
    app[STORE_KEY] = store
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/journey", journey)
    app.router.add_get("/api/panels", panels)
    app.router.add_get("/api/panels/{name}", panel)
    return app


async def serve(store: Store, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, str]:
    """Start serving; returns the runner (to clean up) and the base URL."""
    runner = web.AppRunner(make_app(store), access_log=None)
    await runner.setup()
    port = port or free_port()
    site = web.TCPSite(runner, host, port)
    await site.start()
    url = f"http://{host}:{port}"
    log.info("query API on %s", url)
    return runner, url
