"""Shopify marketplace webhooks (orders, fulfillments, fulfillment events)."""

from schemas.adapters.shopify.mapper import ADAPTER
from schemas.adapters.shopify.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
