"""DHL Shipment Tracking - Unified API JSON (carrier tracking, polled)."""

from schemas.adapters.dhl_universal.mapper import ADAPTER
from schemas.adapters.dhl_universal.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
