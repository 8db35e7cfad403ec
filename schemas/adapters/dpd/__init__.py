"""DPD ParcelLifeCycle tracking SOAP XML (carrier tracking, polled)."""

from schemas.adapters.dpd.mapper import ADAPTER
from schemas.adapters.dpd.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
