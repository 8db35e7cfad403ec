"""USPS international tracking answers -> canonical events (read as domestic USPS)."""

from __future__ import annotations

from schemas.adapters.usps.mapper import UspsAdapter

FORMAT = "usps_international"


class UspsInternationalAdapter(UspsAdapter):
    format = FORMAT
    carrier = "usps"
    name = "USPS international"


ADAPTER = UspsInternationalAdapter()
