"""The web UI in headless Chromium, against `seamscope demo` with simulated data.

The demo process owns chDB, so what the pages show is compared with the same panels
through the demo's JSON API, and every chart's SVG (the image the page shows) is read
back and compared with the rows. Partner payloads with exceptions and a broken payload
are published to the demo's broker too, and a quarter of the history's orders get stuck,
so every view has real numbers. The data is live (the SLA clocks keep running), so a
page that changed under the comparison is loaded again. Screenshots land in
test-artifacts/web/ (look at them).

Chromium: Debian's ``chromium`` and ``chromium-driver`` packages; installed here with
apt-get when missing and running as root, else the tests skip saying why.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboards.panels import NOW_COLUMNS, PANELS
from dashboards.views import VIEWS
from tests.dashboards.test_charts import read_chart
from tests.dashboards.test_panels import INJECTIONS

#: Every view with all its charts, through a real browser and the demo's API: minutes on a
#: busy two-core machine, more than the suite's default per-test limit.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
)  # fmt: skip
#: Real partner payloads (golden fixtures) that carry exceptions, and one that cannot parse.
EXTRA = (
    ("ups", "ups/delivered_history.json"),
    ("dc-east-wms", "epcis/wms_returns_and_holds.jsonld"),
    ("fedex", None),
)


def ensure_chromium() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and this user cannot apt-get install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"],
                ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"]):  # fmt: skip
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"could not install chromium: {' '.join(cmd)}: {done.stderr[-500:]}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a dev extra")
    from selenium.webdriver.chrome.service import Service

    ensure_chromium()
    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.binary_location = str(CHROMIUM)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    # A search submits a form: the next page may not be there yet when the test looks.
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.load(resp)


def get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return str(resp.read().decode())


async def publish_extra(bootstrap: str) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for partner, fixture in EXTRA:
            value = (ROOT / "tests" / "fixtures" / fixture).read_bytes() if fixture else b"{oops"
            await producer.send_and_wait(f"seamscope.raw.{partner}", value)
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Demo:
    url: str
    order: str  # an order the demo suggests trying (its journey is far along)


def alert_state(url: str) -> list[tuple[str, str, bool, str]]:
    return sorted(
        (a["alert_id"], a["status"], a["paged"], a["incident_id"])
        for a in get_json(f"{url}/api/alerts")["rows"]
    )


def settled(url: str, alerts: list[tuple[str, str, bool, str]]) -> bool:
    """Stuck orders listed, and every open breach paged (alone or in an incident)."""
    stuck = get_json(f"{url}/api/stuck")["rows"]
    breaches = [a for a in get_json(f"{url}/api/alerts?open_only=1")["rows"]
                if a["kind"] == "sla_breach"]  # fmt: skip
    return bool(stuck and alerts and all(a["paged"] or a["incident_id"] for a in breaches))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A running `seamscope demo` whose data has stopped changing."""
    tmp = tmp_path_factory.mktemp("demo")
    env = dict(os.environ)
    env.update(
        SEAMSCOPE_RUN_DIR=str(tmp / "run"),
        SEAMSCOPE_CLICKHOUSE_URL=f"chdb://{tmp / 'store'}",
        SEAMSCOPE_CONFIG=str(ROOT / "seamscope.yaml"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.pop("SEAMSCOPE_KAFKA_BOOTSTRAP", None)
    out = tmp / "demo.out"
    with out.open("wb") as log:
        # One live order at the start, its next step hours away: the data settles.
        proc = subprocess.Popen(
            [sys.executable, "-m", "seamscope", "demo", "--orders", "100", "--rate", "0.0001",
             "--speed", "1", "--stuck-rate", "0.25"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 180
            while "Ctrl-C stops everything" not in out.read_text():
                assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
                time.sleep(0.5)
            state = json.loads((tmp / "run" / "demo.json").read_text())
            asyncio.run(publish_extra(state["kafka_bootstrap"]))
            url = state["api_url"]
            previous = None
            while True:  # settled: exceptions, dead letters, stuck orders in; nothing moves
                [now] = get_json(f"{url}/api/panels/overview?hours=96")["rows"]
                state = (now, alert_state(url))
                if (state == previous and now["exceptions"] and now["dead_letters"]
                        and settled(url, state[1])):  # fmt: skip
                    break
                assert time.monotonic() < deadline, (now, out.read_text())
                previous = state
                time.sleep(2)
            order = re.search(r"seamscope journey (\d+)\n", out.read_text())
            assert order, out.read_text()
            yield Demo(url, order.group(1))
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()


def raw(value: Any) -> str:
    """A JSON value as the page writes it in data-value."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(int(height) + 40, 800), 6000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(1400, 1000)


def replaced(element: Any) -> Any:
    """A wait condition: the page holding ``element`` has been replaced by the next one.

    Asked about a node of the old document, chromedriver says it is stale; while the new
    document is still being attached it may instead say the node "does not belong to the
    document". Both mean the old page is gone (selenium's ``staleness_of`` knows only the
    first, and would fail on the second)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in (exc.msg or ""):
                return True
            raise
        return False

    return gone


def drawn(browser: Any, img: Any) -> dict[str, list[float]]:
    """What a chart image shows: it loaded in the browser, and its SVG says these values."""
    loaded = browser.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", img
    )
    assert loaded, img.get_attribute("src")
    return read_chart(get_text(img.get_attribute("src")))


def check_panel(browser: Any, section: Any, name: str, api_rows: list[dict[str, Any]]) -> None:
    from selenium.webdriver.common.by import By

    panel = PANELS[name]
    visual = section.get_attribute("data-visual")
    assert int(section.get_attribute("data-rows")) == len(api_rows), name
    if visual == "stat":
        shown = {
            dd.get_attribute("data-col"): dd.get_attribute("data-value")
            for dd in section.find_elements(By.CSS_SELECTOR, "dd[data-col]")
        }
        assert shown == {k: raw(v) for k, v in api_rows[0].items()}, name
        return
    charts = section.find_elements(By.CSS_SELECTOR, "img.chart")
    assert len(charts) == (1 if visual in ("timeseries", "bar") and api_rows else 0), name
    y = panel.y[0] if panel.y else ""
    if visual == "timeseries" and api_rows:
        totals: dict[str, float] = {}
        for r in api_rows:
            key = str(r[panel.series])
            totals[key] = totals.get(key, 0) + (r[y] or 0)
        lines = {k: sum(v) for k, v in drawn(browser, charts[0]).items()}
        assert lines == pytest.approx(totals, abs=0.06), name
    if visual == "bar" and api_rows:
        bars = [v for values in drawn(browser, charts[0]).values() for v in values]
        assert sorted(bars) == sorted(float(r[y]) for r in api_rows), name
    rows = section.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
    assert len(rows) == len(api_rows), name
    for tr, expected in zip(rows, api_rows, strict=True):
        cells = {
            td.get_attribute("data-col"): td.get_attribute("data-value")
            for td in tr.find_elements(By.CSS_SELECTOR, "td[data-col]")
        }
        want = {k: raw(v) for k, v in expected.items() if k not in NOW_COLUMNS}
        assert {k: v for k, v in cells.items() if k not in NOW_COLUMNS} == want, name


def check_view(browser: Any, url: str, slug: str, query: str, tries: int = 3) -> set[str]:
    """Load a view and compare each panel with the API; the data is live, so a view that
    changed between the page and the API is loaded again. Returns the panels with rows."""
    from selenium.webdriver.common.by import By

    view = VIEWS[slug]
    for attempt in range(tries):
        browser.get(f"{url}/{slug}?{query}")
        assert view.title in browser.title
        assert "query failed" not in browser.page_source
        with_rows = set()
        try:
            for section in browser.find_elements(By.CSS_SELECTOR, "section[data-panel]"):
                name = section.get_attribute("data-panel")
                api_rows = get_json(f"{url}/api/panels/{name}?{query}")["rows"]
                check_panel(browser, section, name, api_rows)
                if api_rows:
                    with_rows.add(name)
        except AssertionError:
            if attempt == tries - 1:
                raise
            continue
        assert {s.get_attribute("data-panel") for s in browser.find_elements(
            By.CSS_SELECTOR, "section[data-panel]")} == set(view.panels)  # fmt: skip
        return with_rows
    raise AssertionError("unreachable")


def test_every_view_shows_the_numbers_in_clickhouse(browser: Any, demo: Demo) -> None:
    url = demo.url
    until = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0).isoformat()
    query = urllib.parse.urlencode({"hours": 96, "until": until})
    must_have_rows = {"partner_health", "volume_trend", "stage_latency", "stage_latency_trend",
                      "exceptions_by_reason", "exception_journeys", "ownership_latency",
                      "node_comparison", "dead_letters", "dead_letter_samples",
                      "sla_attainment", "sla_attainment_trend", "promise_on_time",
                      "promise_on_time_trend", "stuck_by_stage", "stuck_journeys",
                      "alerts_trend", "alerts_list"}  # fmt: skip
    seen = set()
    for slug, view in VIEWS.items():
        assert not view.planned, slug
        if slug == "journey":
            continue  # the search page: test_search_and_drill_down...
        seen |= check_view(browser, url, slug, query)
        shot(browser, slug)
    assert must_have_rows <= seen, must_have_rows - seen
    [overview] = get_json(f"{url}/api/panels/overview?{query}")["rows"]
    assert overview["events"] > 500 and overview["exceptions"] > 0
    # What the stuck view lists is what `seamscope stuck` (sinks.queries.find_stuck) finds.
    stuck = get_json(f"{url}/api/panels/stuck_journeys?{query}")["rows"]
    assert {r["journey_id"] for r in stuck} == {
        r["journey_id"] for r in get_json(f"{url}/api/stuck")["rows"]
    }


def test_a_stuck_order_leads_to_its_journey_and_its_deadline(browser: Any, demo: Demo) -> None:
    from selenium.webdriver.common.by import By

    url = demo.url
    browser.get(f"{url}/stuck")
    table = browser.find_element(By.CSS_SELECTOR, "[data-panel=stuck_journeys] table.data")
    first = table.find_element(By.CSS_SELECTOR, "tbody tr")
    cells = {
        td.get_attribute("data-col"): td.get_attribute("data-value")
        for td in first.find_elements(By.CSS_SELECTOR, "td[data-col]")
    }
    assert cells["deadline"] and cells["order_number"], cells
    first.find_element(By.CSS_SELECTOR, "td[data-col=journey_id] a").click()

    [journey] = get_json(f"{url}/api/journey?id={urllib.parse.quote(cells['journey_id'])}")[
        "journeys"
    ]
    section = browser.find_element(By.CSS_SELECTOR, "section.journey")
    assert section.get_attribute("data-journey") == journey["journey_id"]
    orders = {i["value"] for i in journey["identifiers"] if i["type"] == "order"}
    assert cells["order_number"] in orders
    chips = section.find_elements(By.CSS_SELECTOR, "ul.identifiers a")
    assert cells["order_number"] in {a.text for a in chips}
    # The deadline it missed, on the journey's SLA clocks and on its timeline.
    clock = section.find_element(
        By.CSS_SELECTOR,
        f"table.sla tr[data-stage='{cells['stage']}'][data-deadline='{cells['deadline']}']",
    )
    assert clock.get_attribute("data-verdict") == "overdue"
    assert clock.find_element(By.CSS_SELECTOR, "td.deadline").text
    lane = drawn(browser, section.find_element(By.CSS_SELECTOR, "img.chart.swimlane"))
    assert len(lane["events"]) == len(journey["events"])
    assert len(lane["SLA deadlines"]) == int(section.get_attribute("data-deadlines")) >= 1
    shot(browser, "stuck-journey")

    # The alerts view: only resolved ones when asked, each with its journey.
    browser.get(f"{url}/alerts?status=open")
    statuses = {
        td.get_attribute("data-value")
        for td in browser.find_elements(
            By.CSS_SELECTOR, "[data-panel=alerts_list] td[data-col=status]"
        )
    }
    assert statuses and statuses <= {"open", "escalated"}
    link = browser.find_element(
        By.CSS_SELECTOR, "[data-panel=alerts_list] td[data-col=journey_id] a"
    )
    link.click()
    assert browser.find_elements(By.CSS_SELECTOR, "section.journey table.sla tbody tr")
    shot(browser, "alert-journey")


def test_search_and_drill_down_lead_to_journey_timelines(browser: Any, demo: Demo) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    url = demo.url
    browser.get(f"{url}/journey")
    browser.find_element(By.CSS_SELECTOR, "ul.recent a").click()
    recent = urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query)["id"][0]
    api = get_json(f"{url}/api/journey?id={urllib.parse.quote(recent)}")["journeys"]
    journey = browser.find_element(By.CSS_SELECTOR, "section.journey")
    assert int(journey.get_attribute("data-events")) == len(api[0]["events"]) >= 1

    box = browser.find_element(By.CSS_SELECTOR, "form.search.big input[name=id]")
    box.clear()
    box.send_keys(demo.order, Keys.ENTER)
    api = get_json(f"{url}/api/journey?id={demo.order}")["journeys"]
    journey = browser.find_element(By.CSS_SELECTOR, "section.journey")
    assert journey.get_attribute("data-journey") == api[0]["journey_id"]
    assert int(journey.get_attribute("data-events")) == len(api[0]["events"]) > 3
    rows = journey.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr")
    assert {tr.get_attribute("data-event") for tr in rows} == {
        e["event_id"] for e in api[0]["events"]
    }
    lane = drawn(browser, journey.find_element(By.CSS_SELECTOR, "img.chart.swimlane"))
    assert len(lane["events"]) == len(api[0]["events"])
    shot(browser, "journey-timeline")

    # The same journey through the carrier's tracking number: its chip, then typed.
    tracking = next(i["value"] for i in api[0]["identifiers"] if i["type"] == "tracking_number")
    browser.find_element(By.LINK_TEXT, tracking).click()
    assert browser.find_element(By.CSS_SELECTOR, "section.journey").get_attribute(
        "data-journey") == api[0]["journey_id"]  # fmt: skip
    box = browser.find_element(By.CSS_SELECTOR, "header form.search input[name=id]")
    box.send_keys(tracking.lower(), Keys.ENTER)
    section = browser.find_element(By.CSS_SELECTOR, "section.journey")
    assert section.get_attribute("data-journey") == api[0]["journey_id"]

    for text in INJECTIONS:
        box = browser.find_element(By.CSS_SELECTOR, "form.search.big input[name=id]")
        box.clear()
        box.send_keys(text, Keys.ENTER)
        WebDriverWait(browser, 20).until(replaced(box))  # the answer page has loaded
        assert browser.find_element(By.CSS_SELECTOR, "[data-not-found]").is_displayed(), text
        assert not browser.find_elements(By.CSS_SELECTOR, "section.journey"), text
    shot(browser, "journey-not-found")

    # Exceptions: a reason, then one of its journeys.
    browser.get(f"{url}/exceptions?hours=96")
    browser.find_element(By.CSS_SELECTOR, "[data-panel=exceptions_by_reason] td a").click()
    assert "reason=" in browser.current_url
    drill = browser.find_element(By.CSS_SELECTOR, "[data-panel=exception_journeys]")
    reasons = {
        td.get_attribute("data-value")
        for td in drill.find_elements(By.CSS_SELECTOR, "td[data-col=exception_reason]")
    }
    assert len(reasons) == 1
    shot(browser, "exceptions-drill-down")
    drill.find_element(By.CSS_SELECTOR, "td[data-col=journey_id] a").click()
    events = browser.find_elements(By.CSS_SELECTOR, "section.journey table.timeline tbody tr")
    assert events and reasons.pop() in browser.page_source
    shot(browser, "exception-journey")
