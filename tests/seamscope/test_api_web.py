"""The query API and web UI over HTTP, on the real chDB engine: pages, auth, bound input."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import aiohttp
import pytest

from dashboards.views import VIEWS
from seamscope.api import CHART_CSP, TokenRequired, serve
from seamscope.network import Network, load_network
from sinks.queries import find_stuck
from sinks.store import Store
from tests.conftest import ROOT
from tests.dashboards.test_charts import read_chart
from tests.dashboards.test_panels import INJECTIONS, failing_history, raise_alerts
from tests.helpers import land, raw_records

Check = Callable[[aiohttp.ClientSession, str], Awaitable[None]]
NETWORK = load_network(ROOT / "seamscope.yaml")


def run(store: Store, check: Check, host: str = "127.0.0.1", token: str | None = None) -> None:
    async def main() -> None:
        runner, url = await serve(store, host=host, token=token, network=NETWORK)
        try:
            jar = aiohttp.CookieJar(unsafe=True)  # keep cookies of IP hosts, as browsers do
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                await check(session, url)
        finally:
            await runner.cleanup()

    asyncio.run(main())


@pytest.fixture
def landed(store: Store, network: Network) -> str:
    """Simulated orders, some stuck, landed in the store with the alerts the SLA engine
    raised for them; returns one order number."""
    now = datetime.now(UTC)
    steps = failing_history(network, 12, now, seed=9)
    land(store, network, raw_records(network, steps))
    raise_alerts(store, network, now)
    return steps[0].order.order_number


def images(text: str) -> list[str]:
    return [
        html.unescape(src)
        for src in re.findall(r"<img class='chart[^']*' [^>]*src='([^']+)'", text)
    ]


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
                assert not view.planned, slug
                for src in images(text):  # every chart is an SVG drawn from the same rows
                    async with s.get(f"{url}{src}") as chart:
                        svg = await chart.text()
                        assert chart.status == 200, (src, svg)
                        assert chart.headers["Content-Type"].startswith("image/svg+xml")
                        assert chart.headers["Content-Security-Policy"] == CHART_CSP
                        assert "<script" not in svg and read_chart(svg), src
        async with s.get(f"{url}/api/panels/overview?hours=96") as r:
            [row] = (await r.json())["rows"]
        async with s.get(f"{url}/health?hours=96") as r:
            text = await r.text()
        shown = re.search(r"data-col='events' data-value='(\d+)'", text)
        assert shown and int(shown.group(1)) == row["events"] > 0
        [src] = [i for i in images(text) if "/volume_trend.svg" in i]
        async with s.get(f"{url}/api/panels/volume_trend?{src.split('?', 1)[1]}") as r:
            rows = (await r.json())["rows"]
        async with s.get(f"{url}{src}") as r:
            drawn = read_chart(await r.text())
        totals: dict[str, float] = {}
        for x in rows:
            totals[x["partner_id"]] = totals.get(x["partner_id"], 0) + x["events"]
        assert {k: sum(v) for k, v in drawn.items()} == totals
        async with s.get(f"{url}/static/seamscope.css") as r:
            assert r.status == 200 and "text/css" in r.headers["Content-Type"]
        for bad in ("/charts/nope.svg", "/charts/overview.svg", "/charts/journey.svg?id=nope"):
            async with s.get(f"{url}{bad}") as r:
                assert r.status == 404, bad
        async with s.get(f"{url}/charts/volume_trend.svg?older_than=soon") as r:
            assert r.status == 400

    run(store, check)


def test_search_follows_an_identifier_to_its_timeline(store: Store, landed: str) -> None:
    async def check(s: aiohttp.ClientSession, url: str) -> None:
        async with s.get(f"{url}/journey") as r:
            text = await r.text()
            assert r.status == 200 and f"/journey?id={landed}" in text  # recent orders
        async with s.get(f"{url}/journey", params={"id": f"#{landed}"}) as r:
            text = await r.text()
            assert r.status == 200
            assert "data-event=" in text and "order_placed" in text
            assert "src='/charts/journey.svg?id=" in text
            assert f">{landed}</a>" in text

    run(store, check)


def test_a_stuck_journey_leads_to_its_journey_and_the_deadline_it_missed(
    store: Store, landed: str
) -> None:
    stuck = find_stuck(store)
    assert stuck

    async def check(s: aiohttp.ClientSession, url: str) -> None:
        async with s.get(f"{url}/stuck") as r:
            text = await r.text()
            assert r.status == 200
        assert f"data-rows='{len(stuck)}'" in text
        row = stuck[0]
        link = f"/journey?id={row['journey_id']}"
        assert f"href='{link}'" in text
        async with s.get(f"{url}{link}") as r:
            page = await r.text()
            assert r.status == 200
        assert f'data-journey="{row["journey_id"]}"' in page or row["order"] in page
        assert f"data-stage='{row['stage']}' data-deadline='{row['deadline']}'" in page
        assert "data-verdict='overdue'" in page
        [src] = images(page)
        async with s.get(f"{url}{src}") as r:
            drawn = read_chart(await r.text())
        assert drawn["SLA deadlines"] and drawn["events"]
        async with s.get(f"{url}/stuck", params={"stage": row["stage"], "older_than": "1d"}) as r:
            assert r.status == 200
        async with s.get(f"{url}/stuck", params={"older_than": "' OR 1=1"}) as r:
            assert r.status == 400
        async with s.get(f"{url}/alerts", params={"status": "resolved", "hours": 96}) as r:
            text = await r.text()
            assert r.status == 200 and "data-col='status' data-value='resolved'" in text
            assert "data-col='status' data-value='open'" not in text
        async with s.get(f"{url}/alerts", params={"status": "x' OR 1=1"}) as r:
            assert r.status == 400

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
