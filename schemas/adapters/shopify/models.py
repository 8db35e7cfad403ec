"""Shopify webhook bodies (REST Admin API resources), only the fields Seamscope reads.

The webhook topic is not in the body: Shopify sends it in the ``X-Shopify-Topic`` header.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


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


class FulfillmentHold(ShopifyModel):
    id: int | str | None = None
    reason: str | None = None
    reason_notes: str | None = None


class FulfillmentOrderRef(ShopifyModel):
    """A fulfillment order as webhooks show it: a GraphQL gid and status (REST bodies add
    ``order_id``, ``order_name`` and ``updated_at``)."""

    id: int | str
    status: str | None = None
    request_status: str | None = None
    order_id: int | str | None = None
    order_name: str | None = None
    updated_at: AwareDatetime | None = None
    fulfill_at: AwareDatetime | None = None
    assigned_location_id: int | str | None = None
    fulfillment_holds: list[FulfillmentHold] = Field(default_factory=list)


class MerchantRequest(ShopifyModel):
    message: str | None = None


class ProgressReport(ShopifyModel):
    reason_notes: str | None = None


class FulfillmentOrderWebhook(ShopifyModel):
    """Body of ``fulfillment_orders/*`` and ``fulfillment_holds/*`` webhooks."""

    fulfillment_order: FulfillmentOrderRef | None = None
    original_fulfillment_order: FulfillmentOrderRef | None = None
    submitted_fulfillment_order: FulfillmentOrderRef | None = None
    moved_fulfillment_order: FulfillmentOrderRef | None = None
    remaining_fulfillment_order: FulfillmentOrderRef | None = None
    replacement_fulfillment_order: FulfillmentOrderRef | None = None
    fulfillment_hold: FulfillmentHold | None = None
    created_fulfillment_hold: FulfillmentHold | None = None
    fulfillment_order_merchant_request: MerchantRequest | None = None
    progress_report: ProgressReport | None = None
    destination_location_id: int | str | None = None
    message: str | None = None

    @property
    def subject(self) -> FulfillmentOrderRef | None:
        """The fulfillment order the webhook is about."""
        return (
            self.fulfillment_order
            or self.original_fulfillment_order
            or (self.submitted_fulfillment_order)
        )

    @property
    def related(self) -> list[tuple[str, FulfillmentOrderRef]]:
        """Fulfillment orders that came out of the subject (moved, split, replaced)."""
        pairs = (
            ("moved", self.moved_fulfillment_order),
            ("remaining", self.remaining_fulfillment_order),
            ("replacement", self.replacement_fulfillment_order),
            ("submitted", self.submitted_fulfillment_order),
        )
        return [(name, ref) for name, ref in pairs if ref is not None]
