"""WooCommerce REST v3 order resource (the body of ``order.*`` webhooks), fields Seamscope reads.

Dates come twice: ``date_created`` in the store's local time without an offset, and
``date_created_gmt`` in UTC (also without an offset, but defined as GMT by WooCommerce).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class WooModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class MetaData(WooModel):
    key: str = ""
    value: Any = None


class TrackingItem(WooModel):
    """One entry of ``_wc_shipment_tracking_items`` (WooCommerce Shipment Tracking)."""

    tracking_provider: str = ""
    custom_tracking_provider: str = ""
    tracking_number: str | int | None = None
    date_shipped: str | int | None = None
    tracking_id: str | None = None


class WooOrder(WooModel):
    id: int | str
    number: str | int | None = None
    status: str
    date_created: str | None = None
    date_created_gmt: str | None = None
    date_modified: str | None = None
    date_modified_gmt: str | None = None
    date_paid: str | None = None
    date_paid_gmt: str | None = None
    date_completed: str | None = None
    date_completed_gmt: str | None = None
    meta_data: Many[MetaData] = Field(default_factory=list)

    def tracking_items(self) -> list[Any]:
        """The raw Shipment Tracking entries (validated one by one by the mapper)."""
        for meta in self.meta_data:
            if meta.key == "_wc_shipment_tracking_items" and isinstance(meta.value, list):
                return meta.value
        return []
