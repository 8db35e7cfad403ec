"""USPS international tracking (Tracking API v3 JSON; carrier tracking, polled)."""

from schemas.adapters.usps_international.mapper import ADAPTER
from schemas.adapters.usps_international.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
