"""The partner formats Seamscope understands: one registry line per format.

Each format is one small folder (``models.py``, ``codes.py``, ``mapper.py``, ``render.py``)
exporting ``ADAPTER`` (partner payload -> canonical events) and ``RENDERER`` (simulated
order -> payloads in that format). Adding a format touches its folder and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.adapters import epcis, fedex, shopify, ups
from schemas.adapters.base import Adapter
from schemas.adapters.simulation import Renderer


@dataclass(frozen=True)
class FormatSpec:
    """A partner format: its name in ``seamscope.yaml``, its adapter and its renderer."""

    name: str
    adapter: Adapter
    renderer: Renderer


FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec("shopify", shopify.ADAPTER, shopify.RENDERER),
        FormatSpec("epcis", epcis.ADAPTER, epcis.RENDERER),
        FormatSpec("ups", ups.ADAPTER, ups.RENDERER),
        FormatSpec("fedex", fedex.ADAPTER, fedex.RENDERER),
    )
}


def get_format(name: str) -> FormatSpec:
    """The format registered under ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise KeyError(f"unknown partner format {name!r} (known formats: {known})") from None


__all__ = ["FORMATS", "FormatSpec", "get_format"]
