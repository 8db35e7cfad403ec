"""Amazon Shipping tracking JSON (Shipping API v2 ``getTracking``, carrier tracking, polled)."""

from schemas.adapters.amazon_shipping.mapper import ADAPTER
from schemas.adapters.amazon_shipping.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
