"""The real partner samples in ../shared/fixtures: every one maps or dead-letters, never raises.

These files are read in place (several have no open licence); the test skips, saying why,
in a clone without ``../shared``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from schemas.adapters import get_format
from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.shopify.codes import Topic
from schemas.canonical import IdType, Milestone

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"

pytestmark = [
    pytest.mark.fixtures,
    pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"partner samples not available: {SHARED} is absent"
    ),
]

#: Shopify sends when each webhook fired; fulfillment order bodies carry no other time.
TRIGGERED_AT = "2025-03-14T10:00:00.000Z"
SHOPIFY_REST_KINDS = {
    "order": "orders/create",
    "fulfillment": "fulfillments/create",
    "fulfillment_event": "fulfillment_events/create",
}
SHOPIFY_LEGACY = {
    "order.json": "orders/create",
    "order_with_properties.json": "orders/create",
    "orders.json": "orders/create",
    "fulfillment.json": "fulfillments/create",
    "fulfillments.json": "fulfillments/create",
    "fulfillment_event.json": "fulfillment_events/create",
}


def _normalize(
    fmt: str, value: bytes, ctx: PartnerContext, at: datetime, headers: dict[str, str] | None = None
) -> NormalizeResult:
    result = get_format(fmt).adapter.normalize(RawMessage(value, headers or {}), ctx, at)
    assert result.events or result.problems, "a payload must give events or a problem"
    assert all(p.strip() for p in result.problems)
    for event in result.events:
        assert event.identifiers
        assert event.occurred_at.utcoffset() is not None
    return result


def _split_list_responses(payload: Any) -> Iterator[bytes]:
    """REST list responses (``{"orders": [...]}`` or bare lists) hold one body per item."""
    if isinstance(payload, list):
        yield from (json.dumps(item).encode() for item in payload)
        return
    if isinstance(payload, dict) and len(payload) == 1:
        (value,) = payload.values()
        if isinstance(value, list):
            yield from (json.dumps(item).encode() for item in value)
            return
    yield json.dumps(payload).encode()


def _check_shopify(topic: str, result: NormalizeResult) -> None:
    for event in result.events:
        types = {i.type for i in event.identifiers}
        if topic.startswith(("fulfillment_orders/", "fulfillment_holds/")):
            assert IdType.fulfillment_order in types  # their bodies name nothing else
            continue
        assert IdType.marketplace_order in types
        if topic.startswith("orders/"):
            assert IdType.order in types
            assert event.milestone in (Milestone.order_placed, Milestone.order_cancelled)
        else:
            assert IdType.fulfillment in types
            assert event.milestone is not Milestone.unknown, event.raw_status


def test_shopify_samples(contexts: dict[str, PartnerContext], ingested_at: datetime) -> None:
    ctx = contexts["shopify"]
    folder = SHARED / "shopify"
    mapped = dead = 0
    webhooks = json.loads(
        (folder / "webhook_samples_shopify_docs_2026-07" / "INDEX.json").read_text()
    )
    for entry in webhooks["files"]:
        value = (folder / "webhook_samples_shopify_docs_2026-07" / entry["file"]).read_bytes()
        headers = {"x-shopify-topic": entry["topic"], "x-shopify-triggered-at": TRIGGERED_AT}
        result = _normalize("shopify", value, ctx, ingested_at, headers)
        _check_shopify(entry["topic"], result)
        if entry["topic"] in {t.value for t in Topic}:
            assert result.events and not result.problems, (entry["file"], result.problems)
        else:
            assert result.problems and "not supported" in result.problems[0]
        mapped, dead = mapped + bool(result.events), dead + bool(result.problems)
    for name, topic in SHOPIFY_LEGACY.items():
        payload = json.loads((folder / "legacy_fixtures_2021" / name).read_text())
        for value in _split_list_responses(payload):
            result = _normalize("shopify", value, ctx, ingested_at, {"x-shopify-topic": topic})
            _check_shopify(topic, result)
            assert result.events and not result.problems, (name, result.problems)
    rest = folder / "rest_api_2025-07_responses"
    for path in sorted(rest.glob("*__test_*.json")):
        topic = SHOPIFY_REST_KINDS.get(path.name.split("__")[0])
        if topic is None:
            continue
        for value in _split_list_responses(json.loads(path.read_text())):
            result = _normalize("shopify", value, ctx, ingested_at, {"x-shopify-topic": topic})
            _check_shopify(topic, result)
    assert mapped >= 4


def _epcis_samples() -> list[Path]:
    gs1 = list((SHARED / "gs1_epcis" / "JSON").rglob("*.jsonld"))
    openepcis = list((SHARED / "epcis_openepcis_test_resources" / "JSON").rglob("*.json"))
    return sorted(gs1 + openepcis)


def test_epcis_samples(contexts: dict[str, PartnerContext], ingested_at: datetime) -> None:
    samples = _epcis_samples()
    assert len(samples) > 50
    milestones: set[Milestone] = set()
    sscc_events = 0
    for path in samples:
        result = _normalize("epcis", path.read_bytes(), contexts["epcis"], ingested_at)
        for event in result.events:
            milestones.add(event.milestone)
            sscc_events += any(i.type is IdType.sscc for i in event.identifiers)
            for ident in event.identifiers:
                if ident.type is IdType.sscc:
                    assert len(ident.value) == 18 and ident.value.isdigit()
    assert {Milestone.packed, Milestone.handed_off} <= milestones
    assert sscc_events >= 5


def test_ups_samples(contexts: dict[str, PartnerContext], ingested_at: datetime) -> None:
    folder = SHARED / "karrio" / "ups"
    expected_problem = {
        "AuthError.json": "Invalid Access License number",
        "InvalidTrackingNumberResponseJSON.json": "Invalid inquiry number",
        "TrackingNumberNotFoundResponseJSON.json": "Tracking Information Not Found",
    }
    for path in sorted((folder / "raw_response").glob("*.json")):
        result = _normalize("ups", path.read_bytes(), contexts["ups"], ingested_at)
        if path.name in expected_problem:
            assert not result.events
            assert expected_problem[path.name] in result.problems[0]
        else:
            assert result.events and not result.problems
    sample = _normalize(
        "ups",
        (folder / "schema_samples" / "tracking_response.json").read_bytes(),
        contexts["ups"],
        ingested_at,
    )
    assert [e.milestone for e in sample.events] == [Milestone.delivered, Milestone.label_created]
    assert {i.value for e in sample.events for i in e.identifiers} == {"1Z1442YY7229014688"}


def _karrio_statuses(carrier: str) -> dict[str, list[str]]:
    mappings = json.loads((SHARED / "karrio" / "karrio_tracking_status_mappings.json").read_text())
    statuses: dict[str, list[str]] = mappings[carrier]["TrackingStatus"]
    return statuses


def test_ups_codes_align_with_karrio() -> None:
    from schemas.adapters.ups.codes import TrackingStatus

    for status, codes in _karrio_statuses("ups").items():
        for code in codes:
            found = TrackingStatus.find(code, "")
            assert found is not None and found.name == status, (code, status)


def test_fedex_samples(contexts: dict[str, PartnerContext], ingested_at: datetime) -> None:
    folder = SHARED / "karrio" / "fedex" / "raw_response"
    outcomes = {}
    for path in sorted(folder.glob("*.json")):
        result = _normalize("fedex", path.read_bytes(), contexts["fedex"], ingested_at)
        outcomes[path.name] = (len(result.events), result.problems)
    assert outcomes["ErrorResponse.json"] == (
        0,
        ["FedEx error TRACKING.TRACKINGNUMBER.EMPTY: Please provide tracking number."],
    )
    assert outcomes["ProofOfDeliveryResponse.json"] == (
        0,
        ["FedEx response has no tracking results"],
    )
    assert outcomes["InconsistentDateTimeResponse.json"] == (17, [])
    assert outcomes["DuplicateTrackingResponse.json"] == (18, [])
    events, problems = outcomes["TrackingResponse.json"]
    assert events == 1
    assert problems == [
        "FedEx tracking number 39936862321: TRACKING.TRACKINGNUMBER.NOTFOUND: Tracking number"
        " cannot be found. Please correct the tracking number and try again."
    ]


def test_fedex_codes_align_with_karrio() -> None:
    from schemas.adapters.fedex.codes import TrackingStatus

    for status, codes in _karrio_statuses("fedex").items():
        for code in codes:
            found = TrackingStatus.find(code)
            assert found is not None and found.name == status, (code, status)
