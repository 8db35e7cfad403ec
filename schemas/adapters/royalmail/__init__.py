"""Royal Mail Tracking API v2 JSON (carrier tracking, polled)."""

from schemas.adapters.royalmail.mapper import ADAPTER
from schemas.adapters.royalmail.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
