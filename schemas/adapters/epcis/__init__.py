"""EPCIS 2.0 JSON-LD capture documents from an owned warehouse (WMS)."""

from schemas.adapters.epcis.mapper import ADAPTER
from schemas.adapters.epcis.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
