"""The simulated world the formats render from: one order with all its partners' IDs.

Each format module exposes ``render(order, milestone, at)`` returning the payloads that
partner would really send for that step, in the partner's own format. The simulator
(``streams/simulate.py``) decides which partner reports which step and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from schemas.canonical import Milestone

#: Marketplaces that state a delivery promise promise it this long after the order.
PROMISED_WITHIN = timedelta(days=5)


@dataclass(frozen=True)
class SimItem:
    sku: str
    gtin: str  # 14 digits
    title: str
    quantity: int
    price: str  # decimal as text, as marketplaces send it


@dataclass(frozen=True)
class SimOrder:
    """Every identifier the partners will use for one order."""

    order_number: str  # the retailer's order number, e.g. "100123" (Shopify name "#100123")
    marketplace_order_id: str  # the marketplace's own numeric id
    fulfillment_id: str  # marketplace fulfillment id
    sscc: str  # 18 digits, the warehouse's shipping unit
    tracking_number: str
    carrier: str  # carrier code, e.g. "ups" or "fedex"
    warehouse_gln: str  # 13 digits, the shipping warehouse
    retailer_gln: str  # 13 digits, the retailer (issuer of purchase orders)
    items: tuple[SimItem, ...]
    email: str
    currency: str = "USD"


@dataclass(frozen=True)
class SimPayload:
    """One payload as the partner would send it, with transport headers."""

    value: bytes
    headers: dict[str, str]


class Renderer(Protocol):
    """The simulation side of a format: which steps it reports and how they look."""

    milestones: frozenset[Milestone]

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]: ...
