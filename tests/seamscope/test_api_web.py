"""The query API and web UI over HTTP, on the real chDB engine: pages, auth, bound input."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aiohttp
import pytest

from dashboards.views import VIEWS
from seamscope.api import TokenRequired, serve
from seamscope.network import Network
from sinks.store import Store
from streams.simulate import Simulator
from tests.dashboards.test_panels import INJECTIONS
from tests.helpers import land, raw_records

Check = Callable[[aiohttp.ClientSession, str], Awaitable[None]]


def run(store: Store, check: Check, host: str = "127.0.0.1", token: str | None = None) -> None:
    async def main() -> None:
        runner, url = await serve(store, host=host, token=token)
        try:
            jar = aiohttp.CookieJar(unsafe=True)  # keep cookies of IP hosts, as browsers do
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                await check(session, url)
        finally:
            await runner.cleanup()

    asyncio.run(main())


@pytest.fixture
def landed(store: Store, network: Network) -> str:
    """A few simulated orders landed in the store; returns one order number."""
    steps = Simulator(network, seed=9).plan_history(8, datetime.now(UTC), days=3.0)
    land(store, network, raw_records(network, steps))
    return steps[0].order.order_number


def test_every_view_renders_real_numbers(store: Store, landed: str) -> None:
    async def check(s: aiohttp.ClientSession, url: str) -> None:
        async with s.get(f"{url}/") as r:
            assert r.status == 200 and r.url.path == "/health"
        for slug, view in VIEWS.items():
            async with s.get(f"{url}/{slug}?hours=96") as r:
                text = await r.text()
                assert r.status == 200, (slug, text)
                assert "default-src 'none'" in r.headers["Content-Security-Policy"]
                assert "<script" not in text
                assert "This panel's query failed" not in text, slug
                for panel in view.panels if slug != "journey" else ():
                    assert f"data-panel='{panel}'" in text, (slug, panel)
                if view.planned:
                    assert "Not available yet" in text and "data-value" not in text
        async with s.get(f"{url}/api/panels/overview?hours=96") as r:
            [row] = (await r.json())["rows"]
        async with s.get(f"{url}/health?hours=96") as r:
            text = await r.text()
        shown = re.search(r"data-col='events' data-value='(\d+)'", text)
        assert shown and int(shown.group(1)) == row["events"] > 0
        assert "<path class='line'" in text
        async with s.get(f"{url}/static/seamscope.css") as r:
            assert r.status == 200 and "text/css" in r.headers["Content-Type"]

    run(store, check)


def test_search_follows_an_identifier_to_its_timeline(store: Store, landed: str) -> None:
    async def check(s: aiohttp.ClientSession, url: str) -> None:
        async with s.get(f"{url}/journey") as r:
            text = await r.text()
            assert r.status == 200 and f"/journey?id={landed}" in text  # recent orders
        async with s.get(f"{url}/journey", params={"id": f"#{landed}"}) as r:
            text = await r.text()
            assert r.status == 200
            assert "class='event" in text and "order_placed" in text
            assert f">{landed}</a>" in text

    run(store, check)


def test_injection_strings_in_the_search_box_say_not_found(store: Store, landed: str) -> None:
    async def check(s: aiohttp.ClientSession, url: str) -> None:
        for text in (*INJECTIONS, "x" * 5000, "<script>alert(1)</script>"):
            async with s.get(f"{url}/journey", params={"id": text}) as r:
                body = await r.text()
                assert r.status == 404, text
                assert "Not found" in body and "data-event=" not in body
                assert "<script>alert" not in body
            async with s.get(f"{url}/api/journey", params={"id": text}) as r:
                assert r.status == 404 and (await r.json())["journeys"] == []
            async with s.get(f"{url}/exceptions", params={"reason": text[:200]}) as r:
                assert r.status == 200 and "<script>alert" not in await r.text()
        async with s.get(f"{url}/health", params={"hours": "1; DROP TABLE x"}) as r:
            assert r.status == 400
        async with s.get(f"{url}/api/panels/overview", params={"until": "yesterday"}) as r:
            assert r.status == 400 and "until" in (await r.json())["error"]
        assert store.rows("SELECT count() > 0 AS ok FROM journey_events") == [{"ok": 1}]

    run(store, check)


def test_off_loopback_a_token_is_required_and_checked(store: Store) -> None:
    with pytest.raises(TokenRequired):
        asyncio.run(serve(store, host="0.0.0.0"))

    async def check(s: aiohttp.ClientSession, url: str) -> None:
        url = url.replace("0.0.0.0", "127.0.0.1")
        async with s.get(f"{url}/api/health") as r:
            assert r.status == 200  # for health checks
        for path in ("/health", "/api/panels", "/api/journey?id=1"):
            async with s.get(f"{url}{path}") as r:
                assert r.status == 401, path
        async with s.get(f"{url}/health", headers={"Authorization": "Bearer wrong"}) as r:
            assert r.status == 401
        async with s.get(f"{url}/api/panels", headers={"Authorization": "Bearer s3cret"}) as r:
            assert r.status == 200
        async with s.get(f"{url}/dead-letters?token=s3cret") as r:
            assert r.status == 200
        async with s.get(f"{url}/latency") as r:  # the browser keeps the token as a cookie
            assert r.status == 200

    run(store, check, host="0.0.0.0", token="s3cret")
