"""Shared set-up for the partner format tests: partner contexts and a fixed ingest time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.adapters.base import PartnerContext
from schemas.canonical import Ownership, PartnerType

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = REPO_ROOT / "tests" / "fixtures"
SHARED_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"

#: Fixed so golden files can compare whole events (quality flags depend on it too).
INGESTED_AT = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)

#: What kind of partner speaks each format (formats added later get a context from this).
KINDS: dict[str, PartnerType] = {
    "shopify": PartnerType.marketplace,
    "amazon_sp_api": PartnerType.marketplace,
    "woocommerce": PartnerType.marketplace,
    "walmart": PartnerType.marketplace,
    "epcis": PartnerType.warehouse,
    "shiphero": PartnerType.warehouse,
    "shipbob": PartnerType.warehouse,
    "shipstation": PartnerType.warehouse,
    "ups": PartnerType.carrier,
    "fedex": PartnerType.carrier,
    "amazon_shipping": PartnerType.carrier,
    "usps": PartnerType.carrier,
    "usps_international": PartnerType.carrier,
    "dhl_universal": PartnerType.carrier,
    "dhl_express": PartnerType.carrier,
    "canadapost": PartnerType.carrier,
    "purolator": PartnerType.carrier,
    "dpd": PartnerType.carrier,
    "gls": PartnerType.carrier,
    "royalmail": PartnerType.carrier,
    "easypost": PartnerType.carrier,
}

#: Partner contexts of the formats with their own golden files' partner ids.
_FIXED: dict[str, PartnerContext] = {
    "shopify": PartnerContext(
        partner_id="shopify-us",
        partner_type=PartnerType.marketplace,
        node_id="shopify-us",
        ownership=Ownership.partner,
        partner_format="shopify",
    ),
    "epcis": PartnerContext(
        partner_id="wms-dc-east",
        partner_type=PartnerType.warehouse,
        node_id="dc-east",
        ownership=Ownership.owned,
        partner_format="epcis",
    ),
    "ups": PartnerContext(
        partner_id="ups",
        partner_type=PartnerType.carrier,
        node_id="ups",
        ownership=Ownership.partner,
        partner_format="ups",
        carrier="ups",
    ),
    "fedex": PartnerContext(
        partner_id="fedex",
        partner_type=PartnerType.carrier,
        node_id="fedex",
        ownership=Ownership.partner,
        partner_format="fedex",
        carrier="fedex",
    ),
}


def _context(fmt: str) -> PartnerContext:
    if fmt in _FIXED:
        return _FIXED[fmt]
    kind = KINDS[fmt]
    return PartnerContext(
        partner_id=fmt.replace("_", "-"),
        partner_type=kind,
        node_id=f"{fmt.replace('_', '-')}-node",
        ownership=Ownership.owned if fmt == "epcis" else Ownership.partner,
        partner_format=fmt,
        carrier=fmt if kind is PartnerType.carrier else "",
    )


CONTEXTS: dict[str, PartnerContext] = {fmt: _context(fmt) for fmt in KINDS}


@pytest.fixture(scope="session")
def contexts() -> dict[str, PartnerContext]:
    """The network config's view of one partner per format."""
    return CONTEXTS


@pytest.fixture(scope="session")
def ingested_at() -> datetime:
    return INGESTED_AT
