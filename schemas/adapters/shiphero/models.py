"""ShipHero "Shipment Update" webhook body, only the fields Seamscope reads.

ShipHero repeats carrier and tracking fields inside ``packages`` (the accurate, newer
ones) and at the top of ``fulfillment`` (legacy); both are read.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.adapters.common import Many


class ShipHeroModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Package(ShipHeroModel):
    name: str | None = None
    tracking_number: str | int | None = None
    shipping_carrier: str | None = None
    shipping_method: str | None = None


class LineItem(ShipHeroModel):
    id: str | int | None = None
    sku: str | None = None
    quantity: int | float | None = None
    package: str | None = None


class Fulfillment(ShipHeroModel):
    shipment_id: int | str | None = None
    shipment_uuid: str | None = None
    warehouse: str | None = None
    warehouse_id: int | str | None = None
    partner_order_id: str | int | None = None
    order_number: str | int | None = None
    order_uuid: str | None = None
    tracking_number: str | int | None = None
    shipping_carrier: str | None = None
    shipping_method: str | None = None
    line_items: Many[LineItem] = Field(default_factory=list)
    packages: Many[Package] = Field(default_factory=list)
    package_number: int | None = None
    total_packages: int | None = None
    completed: bool | None = None
    created_at: str


class ShipmentUpdate(ShipHeroModel):
    test: str | int | bool | None = None
    webhook_type: str | None = None
    fulfillment: Fulfillment
