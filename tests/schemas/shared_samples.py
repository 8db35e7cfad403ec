"""Which real partner samples in ../shared/fixtures each format reads, with their headers.

Used by the conformance test (and to regenerate its expectations). A sample is read the
way a gateway would forward it: webhook topics in their transport headers, and for polled
carrier answers that do not repeat the number they answer for, the number the gateway
asked about (``x-tracking-number``, from karrio's recorded request).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from schemas.adapters.carrier import TRACKING_NUMBER_HEADER

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"

#: Shopify sends when each webhook fired; fulfillment order bodies carry no other time.
TRIGGERED_AT = "2025-03-14T10:00:00.000Z"

#: Carrier formats whose samples are karrio's (folder name = format name).
KARRIO_CARRIERS = (
    "ups", "fedex", "usps", "usps_international", "dhl_universal", "dhl_express",
    "canadapost", "purolator", "dpd", "gls", "royalmail", "amazon_shipping", "easypost",
)  # fmt: skip

#: Legacy Shopify fixtures that hold one resource, and the topic that sends it.
SHOPIFY_LEGACY = {
    "order.json": "orders/create",
    "order_with_properties.json": "orders/create",
    "fulfillment.json": "fulfillments/create",
    "fulfillment_event.json": "fulfillment_events/create",
}


@dataclass(frozen=True)
class Sample:
    fmt: str
    path: Path
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return str(self.path.relative_to(SHARED))


def karrio_folder(carrier: str) -> Path:
    for root in ("karrio", "karrio_community"):
        if (SHARED / root / carrier).is_dir():
            return SHARED / root / carrier
    raise FileNotFoundError(f"no karrio samples for {carrier}")


def requested_number(folder: Path) -> str:
    """The tracking number karrio's recorded request asked about ("" when none)."""
    for path in sorted((folder / "request").glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        numbers = data.get("tracking_numbers") if isinstance(data, dict) else None
        if isinstance(numbers, list) and numbers and isinstance(numbers[0], str):
            return numbers[0]
    return ""


def _files(folder: Path, *patterns: str) -> list[Path]:
    found = {p for pattern in patterns for p in folder.glob(pattern) if p.is_file()}
    return sorted(p for p in found if not p.name.startswith(("INDEX", "LICENSE")))


def discover() -> Iterator[Sample]:
    """Every sample of every supported format, in a stable order."""
    webhooks = SHARED / "shopify" / "webhook_samples_shopify_docs_2026-07"
    for entry in json.loads((webhooks / "INDEX.json").read_text())["files"]:
        headers = {"x-shopify-topic": entry["topic"], "x-shopify-triggered-at": TRIGGERED_AT}
        yield Sample("shopify", webhooks / entry["file"], headers)
    for name, topic in SHOPIFY_LEGACY.items():
        path = SHARED / "shopify" / "legacy_fixtures_2021" / name
        yield Sample("shopify", path, {"x-shopify-topic": topic})

    for path in _files(SHARED / "gs1_epcis" / "JSON", "**/*.jsonld", "**/*.json"):
        yield Sample("epcis", path)
    for path in _files(SHARED / "gs1_epcis" / "XML", "**/*.xml"):
        yield Sample("epcis", path)
    for path in _files(SHARED / "epcis_openepcis_test_resources" / "JSON", "**/*.json"):
        yield Sample("epcis", path)
    for path in _files(SHARED / "epcis_block4log", "*.json", "*.jsonld", "*.xml"):
        yield Sample("epcis", path)

    amazon = SHARED / "amazon_sp_api"
    for path in _files(amazon, "notifications/*.json", "api_sandbox_response_examples/*.json"):
        yield Sample("amazon_sp_api", path)
    for path in _files(SHARED / "woocommerce" / "rest_api_v3_doc_examples", "*.json"):
        yield Sample("woocommerce", path)
    for path in _files(SHARED / "walmart" / "us_mp_openapi_examples", "*.json"):
        yield Sample("walmart", path)

    for path in _files(SHARED / "shiphero", "*.json"):
        yield Sample("shiphero", path)
    for path in _files(SHARED / "shipbob" / "api_response_examples_2026-01", "*.json"):
        yield Sample("shipbob", path)
    for path in _files(SHARED / "shipbob" / "webhook_examples_from_docs", "*.json"):
        yield Sample("shipbob", path, {"x-webhook-topic": path.name.split("__")[0]})
    for path in _files(SHARED / "shipstation" / "v1_api_fixtures_compwright", "*.json"):
        yield Sample("shipstation", path)

    for carrier in KARRIO_CARRIERS:
        folder = karrio_folder(carrier)
        number = requested_number(folder)
        headers = {TRACKING_NUMBER_HEADER: number} if number else {}
        for path in _files(folder, "raw_response/*", "schema_samples/*"):
            yield Sample(carrier, path, headers)
