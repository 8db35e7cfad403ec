"""Shopify webhooks -> canonical journey events.

The topic comes from the ``x-shopify-topic`` transport header, exactly as Shopify sends it
over HTTP; the body is the order, fulfillment or fulfillment event resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from schemas.adapters.base import (
    NormalizeResult,
    PartnerContext,
    RawMessage,
    build_event,
    decode_json,
    describe_validation_error,
)
from schemas.adapters.common import UNKNOWN_STATUS, gid_tail
from schemas.adapters.shopify.codes import (
    CARRIER_CODES,
    FULFILLMENT_CANCELLED,
    FULFILLMENT_FAILED,
    FULFILLMENT_ORDER_TOPICS,
    FULFILLMENT_TOPICS,
    HOLD_REASONS,
    ORDER_TOPICS,
    ShipmentStatus,
    Topic,
)
from schemas.adapters.shopify.models import (
    FulfillmentOrderWebhook,
    ShopifyFulfillment,
    ShopifyFulfillmentEvent,
    ShopifyModel,
    ShopifyOrder,
)
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    JourneyEvent,
    Milestone,
    Responsible,
)

FORMAT = "shopify"
TOPIC_HEADER = "x-shopify-topic"
TRIGGERED_AT_HEADER = "x-shopify-triggered-at"

#: REST envelopes (``{"order": {...}}``) accepted too, so API backfills replay cleanly.
_ENVELOPES: dict[type[ShopifyModel], tuple[str, ...]] = {
    ShopifyOrder: ("order",),
    ShopifyFulfillment: ("fulfillment",),
    ShopifyFulfillmentEvent: ("fulfillment_event", "event"),
    FulfillmentOrderWebhook: (),
}
_EXCEPTIONAL = {
    Milestone.exception: Responsible.carrier,
    Milestone.delivery_failed: Responsible.consignee,
    Milestone.delayed: Responsible.carrier,
}

M = TypeVar("M", bound=ShopifyModel)


def header(headers: Mapping[str, str], name: str) -> str:
    """A transport header by name, whatever case the transport kept."""
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip()
    return ""


def carrier_code(tracking_company: str | None) -> str:
    """``"FedEx"`` -> ``"fedex"``; unknown companies become a lowercase slug."""
    name = (tracking_company or "").strip().lower()
    return CARRIER_CODES.get(name) or re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def order_number(name: str) -> str:
    """Shopify's order ``name`` ("#1001") is the retailer's order number ("1001")."""
    return name.strip().lstrip("#").strip()


class ShopifyAdapter:
    """Shopify marketplace webhooks: orders, fulfillments and fulfillment events."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        topic_name = header(raw.headers, TOPIC_HEADER)
        if not topic_name:
            return NormalizeResult.problem(
                "Shopify webhook has no x-shopify-topic header, so what the body describes"
                " is unknown"
            )
        try:
            topic = Topic(topic_name.lower())
        except ValueError:
            known = ", ".join(t.value for t in Topic)
            return NormalizeResult.problem(
                f"Shopify webhook topic {topic_name!r} is not supported (supported: {known})"
            )
        try:
            payload, error = decode_json(raw)
        except RecursionError:
            return NormalizeResult.problem("payload is not valid JSON: nested too deeply")
        if error is not None:
            return NormalizeResult.problem(error)
        mapper = _Mapper(ctx, raw, ingested_at, topic)
        try:
            if topic in ORDER_TOPICS:
                order = _parse(ShopifyOrder, payload)
                return order if isinstance(order, NormalizeResult) else mapper.order(order)
            if topic in FULFILLMENT_TOPICS:
                ful = _parse(ShopifyFulfillment, payload)
                return ful if isinstance(ful, NormalizeResult) else mapper.fulfillment(ful)
            if topic in FULFILLMENT_ORDER_TOPICS:
                body = _parse(FulfillmentOrderWebhook, payload)
                return body if isinstance(body, NormalizeResult) else mapper.fulfillment_order(body)
            event = _parse(ShopifyFulfillmentEvent, payload)
            return event if isinstance(event, NormalizeResult) else mapper.fulfillment_event(event)
        except (ValidationError, ValueError, OverflowError) as exc:
            return NormalizeResult.problem(f"Shopify {topic.value} could not be mapped: {exc}")


def _parse(model: type[M], payload: Any) -> M | NormalizeResult:
    """The body as the partner's model, or the problem that says why it is not one."""
    if isinstance(payload, dict) and len(payload) == 1:
        (key,) = payload
        if key in _ENVELOPES[model]:
            payload = payload[key]
    if not isinstance(payload, dict):
        return NormalizeResult.problem(
            f"{model.__name__} must be a JSON object, got {type(payload).__name__}"
        )
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        return NormalizeResult.problem(describe_validation_error(model.__name__, exc))


class _Mapper:
    def __init__(
        self, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime, topic: Topic
    ) -> None:
        self.ctx = ctx
        self.raw = raw
        self.ingested_at = ingested_at
        self.topic = topic
        self.reported_at = _parse_time(header(raw.headers, TRIGGERED_AT_HEADER))

    def _event(self, **fields: Any) -> JourneyEvent:
        return build_event(
            ctx=self.ctx,
            raw=self.raw,
            ingested_at=self.ingested_at,
            reported_at=self.reported_at,
            **fields,
        )

    def _id(self, kind: IdType, value: int | str, issuer: str | None = None) -> Identifier:
        return Identifier(
            type=kind, value=str(value), issuer=self.ctx.partner_id if issuer is None else issuer
        )

    def order(self, order: ShopifyOrder) -> NormalizeResult:
        number = order_number(order.name)
        if not number:
            return NormalizeResult.problem(f"ShopifyOrder {order.id}: name has no order number")
        identifiers = [
            self._id(IdType.order, number, ""),
            self._id(IdType.marketplace_order, order.id),
        ]
        result = NormalizeResult()
        if self.topic is not Topic.orders_cancelled:
            result.events.append(
                self._event(
                    milestone=Milestone.order_placed,
                    occurred_at=order.created_at,
                    identifiers=identifiers,
                    raw_status="orders/create",
                    description=f"Order {order.name} placed ({self.topic.value})",
                )
            )
        if order.cancelled_at is not None:
            reason = order.cancel_reason or "unspecified"
            result.events.append(
                self._event(
                    milestone=Milestone.order_cancelled,
                    occurred_at=order.cancelled_at,
                    identifiers=identifiers,
                    raw_status="orders/cancelled",
                    description=f"Order {order.name} cancelled, reason: {reason}",
                )
            )
        elif self.topic is Topic.orders_cancelled:
            result.problems.append(
                f"ShopifyOrder {order.id}: orders/cancelled webhook without cancelled_at"
            )
        return result

    def fulfillment(self, fulfillment: ShopifyFulfillment) -> NormalizeResult:
        marketplace_order = self._id(IdType.marketplace_order, fulfillment.order_id)
        fulfillment_id = self._id(IdType.fulfillment, fulfillment.id)
        issuer = carrier_code(fulfillment.tracking_company)
        numbers = [fulfillment.tracking_number, *(fulfillment.tracking_numbers or [])]
        tracking = [
            self._id(IdType.tracking_number, n.strip(), issuer) for n in numbers if n and n.strip()
        ]
        identifiers = [marketplace_order, fulfillment_id, *tracking]
        links = [
            IdentifierLink(child=fulfillment_id, parent=marketplace_order),
            *(IdentifierLink(child=t, parent=fulfillment_id) for t in tracking),
        ]
        status = (fulfillment.status or "").lower()
        name = fulfillment.name or str(fulfillment.id)
        changed_at = fulfillment.updated_at or fulfillment.created_at
        result = NormalizeResult()
        if status in FULFILLMENT_CANCELLED or status in FULFILLMENT_FAILED:
            cancelled = status in FULFILLMENT_CANCELLED
            result.events.append(
                self._event(
                    milestone=Milestone.exception,
                    occurred_at=changed_at,
                    identifiers=identifiers,
                    links=links,
                    raw_status=status,
                    description=f"Fulfillment {name} {status}",
                    exception=ExceptionInfo(
                        reason="retailer_cancelled" if cancelled else "unknown",
                        responsible=Responsible.retailer if cancelled else Responsible.unknown,
                        description=f"Shopify fulfillment status {status}",
                    ),
                )
            )
            return result
        carrier = fulfillment.tracking_company or "no carrier"
        result.events.append(
            self._event(
                milestone=Milestone.label_created,
                occurred_at=fulfillment.created_at,
                identifiers=identifiers,
                links=links,
                raw_status="fulfillments/create",
                description=f"Fulfillment {name} created ({carrier}, status {status or 'n/a'})",
            )
        )
        if fulfillment.shipment_status:
            result.events.append(
                self._status_event(
                    fulfillment.shipment_status,
                    changed_at,
                    identifiers,
                    links,
                    f"Fulfillment {name} shipment status {fulfillment.shipment_status}",
                )
            )
        return result

    def fulfillment_event(self, event: ShopifyFulfillmentEvent) -> NormalizeResult:
        marketplace_order = self._id(IdType.marketplace_order, event.order_id)
        fulfillment_id = self._id(IdType.fulfillment, event.fulfillment_id)
        location = ", ".join(
            part for part in (event.city, event.province, event.zip, event.country) if part
        )
        return NormalizeResult(
            events=[
                self._status_event(
                    event.status,
                    event.happened_at or event.created_at,
                    [marketplace_order, fulfillment_id],
                    [IdentifierLink(child=fulfillment_id, parent=marketplace_order)],
                    event.message or f"Fulfillment event {event.status}",
                    location=location,
                    discriminator=str(event.id),
                )
            ]
        )

    def fulfillment_order(self, body: FulfillmentOrderWebhook) -> NormalizeResult:
        """A fulfillment order held, released, moved, split, cancelled or rejected.

        Webhook bodies name the fulfillment order by its GraphQL gid only (no order id and
        no time): the time is the ``x-shopify-triggered-at`` header (or the body's
        ``updated_at`` when an app sends the REST resource), the order id and name are used
        when present.
        """
        subject = body.subject
        if subject is None:
            return NormalizeResult.problem(
                f"Shopify {self.topic.value} webhook names no fulfillment_order"
            )
        subject_id = gid_tail(subject.id)
        if not subject_id:
            return NormalizeResult.problem(
                f"Shopify {self.topic.value}: fulfillment_order has no usable id"
            )
        occurred_at = self.reported_at or subject.updated_at
        if occurred_at is None:
            return NormalizeResult.problem(
                f"Shopify {self.topic.value} body carries no time: send the webhook's"
                f" {TRIGGERED_AT_HEADER} header with it"
            )
        fulfillment_order = self._id(IdType.fulfillment_order, subject_id)
        identifiers = [fulfillment_order]
        links = []
        if subject.order_id is not None and gid_tail(subject.order_id):
            marketplace_order = self._id(IdType.marketplace_order, gid_tail(subject.order_id))
            identifiers.append(marketplace_order)
            links.append(IdentifierLink(child=fulfillment_order, parent=marketplace_order))
        if subject.order_name and order_number(subject.order_name):
            identifiers.insert(0, self._id(IdType.order, order_number(subject.order_name), ""))
        related = []
        for name, ref in body.related:
            ref_id = gid_tail(ref.id)
            if ref_id and ref_id != subject_id:
                child = self._id(IdType.fulfillment_order, ref_id)
                identifiers.append(child)
                links.append(IdentifierLink(child=child, parent=fulfillment_order))
                related.append(f"{name} {ref_id}")
        milestone = FULFILLMENT_ORDER_TOPICS[self.topic]
        hold = (
            body.created_fulfillment_hold
            or body.fulfillment_hold
            or next(iter(subject.fulfillment_holds), None)
        )
        notes = " ".join(
            n
            for n in (
                body.message,
                hold.reason_notes if hold else None,
                body.progress_report.reason_notes if body.progress_report else None,
                body.fulfillment_order_merchant_request.message
                if body.fulfillment_order_merchant_request
                else None,
            )
            if n
        )
        description = f"Fulfillment order {subject_id} {self.topic.value.split('/')[1]}"
        description += f" ({', '.join(related)})" if related else ""
        description += f": {notes}" if notes else ""
        exception = None
        if milestone is Milestone.on_hold:
            hold_reason = (hold.reason or "other").lower() if hold else "other"
            reason, responsible = HOLD_REASONS.get(hold_reason, ("unknown", Responsible.retailer))
            if self.topic is Topic.fulfillment_orders_cancellation_request_submitted:
                reason, responsible = "retailer_cancelled", Responsible.retailer
            exception = ExceptionInfo(
                reason=reason, responsible=responsible, description=notes or hold_reason
            )
        elif milestone is Milestone.exception:
            exception = ExceptionInfo(
                reason="unknown", responsible=Responsible.warehouse, description=notes
            )
        elif milestone is Milestone.delayed:
            when = subject.fulfill_at.isoformat() if subject.fulfill_at else "later"
            exception = ExceptionInfo(
                reason="retailer_not_ready",
                responsible=Responsible.retailer,
                description=f"fulfillment rescheduled to {when}",
            )
        return NormalizeResult(
            events=[
                self._event(
                    milestone=milestone,
                    occurred_at=occurred_at,
                    identifiers=identifiers,
                    links=links,
                    raw_status=self.topic.value,
                    description=description,
                    exception=exception,
                    location=gid_tail(body.destination_location_id or subject.assigned_location_id),
                )
            ]
        )

    def _status_event(
        self,
        status: str,
        occurred_at: datetime,
        identifiers: list[Identifier],
        links: list[IdentifierLink],
        description: str,
        location: str = "",
        discriminator: str = "",
    ) -> JourneyEvent:
        milestone = ShipmentStatus.milestone(status)
        responsible = _EXCEPTIONAL.get(milestone)
        flags = (UNKNOWN_STATUS,) if milestone is Milestone.unknown else ()
        return self._event(
            extra_flags=flags,
            milestone=milestone,
            occurred_at=occurred_at,
            identifiers=identifiers,
            links=links,
            raw_status=status,
            description=description,
            location=location,
            discriminator=discriminator,
            exception=None
            if responsible is None
            else ExceptionInfo(reason="unknown", responsible=responsible, description=description),
        )


def _parse_time(value: str) -> datetime | None:
    """The ``x-shopify-triggered-at`` header, when present and timezone-aware."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


ADAPTER = ShopifyAdapter()

__all__ = ["ADAPTER", "FORMAT", "ShopifyAdapter", "carrier_code", "header", "order_number"]
