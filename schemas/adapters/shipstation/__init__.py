"""ShipStation shipping platform: API v1 orders and shipments, API v2 tracking webhooks."""

from schemas.adapters.shipstation.mapper import ADAPTER
from schemas.adapters.shipstation.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
