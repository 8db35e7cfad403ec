"""Purolator tracking web service SOAP XML (carrier tracking, polled)."""

from schemas.adapters.purolator.mapper import ADAPTER
from schemas.adapters.purolator.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
