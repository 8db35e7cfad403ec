"""Canada Post tracking details XML (carrier tracking, polled)."""

from schemas.adapters.canadapost.mapper import ADAPTER
from schemas.adapters.canadapost.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
