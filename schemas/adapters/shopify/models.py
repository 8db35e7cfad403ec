"""Shopify webhook bodies (REST Admin API resources), only the fields Seamscope reads.

The webhook topic is not in the body: Shopify sends it in the ``X-Shopify-Topic`` header.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict


class ShopifyModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ShopifyOrder(ShopifyModel):
    """Body of ``orders/create``, ``orders/updated`` and ``orders/cancelled``."""

    id: int | str
    name: str
    order_number: int | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    cancelled_at: AwareDatetime | None = None
    cancel_reason: str | None = None
    financial_status: str | None = None


class ShopifyFulfillment(ShopifyModel):
    """Body of ``fulfillments/create`` and ``fulfillments/update``."""

    id: int | str
    order_id: int | str
    status: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] | None = None
    shipment_status: str | None = None
    name: str | None = None


class ShopifyFulfillmentEvent(ShopifyModel):
    """Body of ``fulfillment_events/create``: a carrier status on one fulfillment."""

    id: int | str
    fulfillment_id: int | str
    order_id: int | str
    status: str
    message: str | None = None
    happened_at: AwareDatetime | None = None
    created_at: AwareDatetime
    city: str | None = None
    province: str | None = None
    zip: str | None = None
    country: str | None = None
