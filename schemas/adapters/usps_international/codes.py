"""USPS international statuses: karrio's ``usps_international`` table is a subset of its
domestic USPS table, which Seamscope's USPS table extends; both read the same way."""

from schemas.adapters.usps.codes import (
    KARRIO_DEVIATIONS,
    TrackingIncidentReason,
    TrackingStatus,
    status_of,
)

__all__ = ["KARRIO_DEVIATIONS", "TrackingIncidentReason", "TrackingStatus", "status_of"]
