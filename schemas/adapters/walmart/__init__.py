"""Walmart Marketplace orders with line statuses and tracking info, and order webhooks."""

from schemas.adapters.walmart.mapper import ADAPTER
from schemas.adapters.walmart.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
