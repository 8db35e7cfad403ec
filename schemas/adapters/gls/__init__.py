"""GLS tracking JSON (carrier tracking, polled)."""

from schemas.adapters.gls.mapper import ADAPTER
from schemas.adapters.gls.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
