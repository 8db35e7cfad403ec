"""The partner formats Seamscope understands: one registry line per format.

Each format is one small folder (``models.py``, ``codes.py``, ``mapper.py``, ``render.py``)
exporting ``ADAPTER`` (partner payload -> canonical events) and ``RENDERER`` (simulated
order -> payloads in that format). Adding a format touches its folder and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.adapters import (
    amazon_shipping,
    amazon_sp_api,
    canadapost,
    dhl_express,
    dhl_universal,
    dpd,
    easypost,
    epcis,
    fedex,
    gls,
    purolator,
    royalmail,
    shipbob,
    shiphero,
    shipstation,
    shopify,
    ups,
    usps,
    usps_international,
    walmart,
    woocommerce,
)
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
        # marketplaces
        FormatSpec("shopify", shopify.ADAPTER, shopify.RENDERER),
        FormatSpec("amazon_sp_api", amazon_sp_api.ADAPTER, amazon_sp_api.RENDERER),
        FormatSpec("woocommerce", woocommerce.ADAPTER, woocommerce.RENDERER),
        FormatSpec("walmart", walmart.ADAPTER, walmart.RENDERER),
        # warehouses and 3PLs
        FormatSpec("epcis", epcis.ADAPTER, epcis.RENDERER),
        FormatSpec("shiphero", shiphero.ADAPTER, shiphero.RENDERER),
        FormatSpec("shipbob", shipbob.ADAPTER, shipbob.RENDERER),
        FormatSpec("shipstation", shipstation.ADAPTER, shipstation.RENDERER),
        # carriers, named as karrio's connectors (and its fixture folders)
        FormatSpec("ups", ups.ADAPTER, ups.RENDERER),
        FormatSpec("fedex", fedex.ADAPTER, fedex.RENDERER),
        FormatSpec("usps", usps.ADAPTER, usps.RENDERER),
        FormatSpec("usps_international", usps_international.ADAPTER, usps_international.RENDERER),
        FormatSpec("dhl_universal", dhl_universal.ADAPTER, dhl_universal.RENDERER),
        FormatSpec("dhl_express", dhl_express.ADAPTER, dhl_express.RENDERER),
        FormatSpec("canadapost", canadapost.ADAPTER, canadapost.RENDERER),
        FormatSpec("purolator", purolator.ADAPTER, purolator.RENDERER),
        FormatSpec("dpd", dpd.ADAPTER, dpd.RENDERER),
        FormatSpec("gls", gls.ADAPTER, gls.RENDERER),
        FormatSpec("royalmail", royalmail.ADAPTER, royalmail.RENDERER),
        FormatSpec("amazon_shipping", amazon_shipping.ADAPTER, amazon_shipping.RENDERER),
        FormatSpec("easypost", easypost.ADAPTER, easypost.RENDERER),
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
