"""ShipHero webhook types -> canonical milestones."""

from __future__ import annotations

from schemas.canonical import Milestone

#: ``webhook_type`` values this format maps. A Shipment Update is the 3PL shipping (part
#: of) an order: labels bought, packages handed to the carrier.
WEBHOOK_TYPES: dict[str, Milestone] = {"shipment update": Milestone.handed_off}

#: Webhook types that are about stock, purchase orders or totes, never an outbound order.
NOT_ABOUT_ORDERS = frozenset(
    {"inventory update", "inventory change", "po update", "tote complete", "tote cleared"}
)

#: Quality flag for ShipHero's test deliveries (``"test": "1"``).
TEST_PAYLOAD = "test_payload"
