"""ShipHero 3PL webhooks (Shipment Update; ``partner_order_id`` joins the channel order)."""

from schemas.adapters.shiphero.mapper import ADAPTER
from schemas.adapters.shiphero.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
