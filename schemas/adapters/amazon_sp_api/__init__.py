"""Amazon Selling Partner API notifications (and polled order, fulfillment, tracking answers)."""

from schemas.adapters.amazon_sp_api.mapper import ADAPTER
from schemas.adapters.amazon_sp_api.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
