"""FedEx Track API JSON (carrier tracking, polled)."""

from schemas.adapters.fedex.mapper import ADAPTER
from schemas.adapters.fedex.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
