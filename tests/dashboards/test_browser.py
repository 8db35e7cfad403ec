"""The web UI in headless Chromium, against `seamscope demo` with simulated data.

The demo process owns chDB, so what the pages show is compared with the same panels
through the demo's JSON API. Partner payloads with exceptions and a broken payload are
published to the demo's broker too, so every view has real numbers. Screenshots land
in test-artifacts/web/ (look at them).

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

from dashboards.views import VIEWS
from tests.dashboards.test_panels import INJECTIONS

pytestmark = pytest.mark.e2e

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
             "--speed", "1"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90
            while "Ctrl-C stops everything" not in out.read_text():
                assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
                time.sleep(0.5)
            state = json.loads((tmp / "run" / "demo.json").read_text())
            asyncio.run(publish_extra(state["kafka_bootstrap"]))
            url = state["api_url"]
            previous = None
            while True:  # settled: exceptions and dead letters in, counts unchanged
                [now] = get_json(f"{url}/api/panels/overview?hours=96")["rows"]
                if now == previous and now["exceptions"] and now["dead_letters"]:
                    break
                assert time.monotonic() < deadline, (now, out.read_text())
                previous = now
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


def check_panel(section: Any, name: str, api_rows: list[dict[str, Any]]) -> None:
    from selenium.webdriver.common.by import By

    visual = section.get_attribute("data-visual")
    assert int(section.get_attribute("data-rows")) == len(api_rows), name
    if visual == "stat":
        shown = {
            dd.get_attribute("data-col"): dd.get_attribute("data-value")
            for dd in section.find_elements(By.CSS_SELECTOR, "dd[data-col]")
        }
        assert shown == {k: raw(v) for k, v in api_rows[0].items()}, name
        return
    if visual == "timeseries" and api_rows:
        lines = section.find_elements(By.CSS_SELECTOR, "svg path.line")
        series_col = next(k for k, v in api_rows[0].items() if isinstance(v, str) and k != "time")
        value_col = next(k for k in api_rows[0] if k not in ("time", series_col))
        totals: dict[str, float] = {}
        for r in api_rows:
            totals[r[series_col]] = totals.get(r[series_col], 0) + (r[value_col] or 0)
        drawn = {
            p.get_attribute("data-series"): float(p.get_attribute("data-total")) for p in lines
        }
        assert drawn == pytest.approx(totals, abs=0.06), name
    if visual == "bar" and api_rows:
        bars = section.find_elements(By.CSS_SELECTOR, "svg rect.bar")
        assert sorted(float(b.get_attribute("data-value")) for b in bars) == sorted(
            float(next(v for k, v in r.items() if k in ("events", "p90_s"))) for r in api_rows
        ), name
    rows = section.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
    assert len(rows) == len(api_rows), name
    for tr, expected in zip(rows, api_rows, strict=True):
        cells = {
            td.get_attribute("data-col"): td.get_attribute("data-value")
            for td in tr.find_elements(By.CSS_SELECTOR, "td[data-col]")
        }
        want = {k: raw(v) for k, v in expected.items() if k != "silent_for_s"}
        assert {k: v for k, v in cells.items() if k != "silent_for_s"} == want, name


def test_every_view_shows_the_numbers_in_clickhouse(browser: Any, demo: Demo) -> None:
    from selenium.webdriver.common.by import By

    url = demo.url
    until = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0).isoformat()
    query = urllib.parse.urlencode({"hours": 96, "until": until})
    must_have_rows = {"partner_health", "volume_trend", "stage_latency", "stage_latency_trend",
                      "exceptions_by_reason", "exception_journeys", "ownership_latency",
                      "node_comparison", "dead_letters", "dead_letter_samples"}  # fmt: skip
    seen = set()
    for slug, view in VIEWS.items():
        browser.get(f"{url}/{slug}?{query}")
        assert view.title in browser.title
        assert "query failed" not in browser.page_source
        if view.planned:
            assert browser.find_element(By.CSS_SELECTOR, "[data-planned]").is_displayed()
        for section in browser.find_elements(By.CSS_SELECTOR, "section[data-panel]"):
            name = section.get_attribute("data-panel")
            api_rows = get_json(f"{url}/api/panels/{name}?{query}")["rows"]
            check_panel(section, name, api_rows)
            if name in must_have_rows:
                assert api_rows, f"{name} has no rows"
            seen.add(name)
        shot(browser, slug)
    assert must_have_rows <= seen
    [overview] = get_json(f"{url}/api/panels/overview?{query}")["rows"]
    assert overview["events"] > 500 and overview["exceptions"] > 0


def test_search_and_drill_down_lead_to_journey_timelines(browser: Any, demo: Demo) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
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
    assert len(journey.find_elements(By.CSS_SELECTOR, "svg.swimlane circle.event")) == len(
        api[0]["events"]
    )
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
        WebDriverWait(browser, 20).until(EC.staleness_of(box))  # the answer page has loaded
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
