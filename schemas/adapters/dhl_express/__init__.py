"""DHL Express XML-PI tracking (carrier tracking, polled)."""

from schemas.adapters.dhl_express.mapper import ADAPTER
from schemas.adapters.dhl_express.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
