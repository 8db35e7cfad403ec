"""USPS Tracking API v3 JSON (carrier tracking, polled)."""

from schemas.adapters.usps.mapper import ADAPTER
from schemas.adapters.usps.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
