"""UPS Track API JSON (carrier tracking, polled)."""

from schemas.adapters.ups.mapper import ADAPTER
from schemas.adapters.ups.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
