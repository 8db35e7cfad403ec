"""USPS international tracking: the same Tracking API v3 JSON as domestic USPS."""

from schemas.adapters.usps.models import ApiError, TrackingEvent, UspsTracking

__all__ = ["ApiError", "TrackingEvent", "UspsTracking"]
