"""WooCommerce order webhooks -> canonical journey events.

The topic comes from the ``x-wc-webhook-topic`` transport header (``order.created``,
``order.updated``, ``order.restored``, ``order.deleted``); the body is the REST v3 order.
``order.created`` reports the placement (and the status the order was created in, when
that is already further along); an update reports the status it moved to. A body without
the header (a REST backfill, or a list of orders) is read like ``order.created``.

The store's ``number`` is the retailer's order number (``order``), its ``id`` the store's
own id (``marketplace_order``). Shipment Tracking's ``_wc_shipment_tracking_items`` on a
``completed`` order give the tracking numbers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage, build_event
from schemas.adapters.common import (
    UNKNOWN_STATUS,
    carrier_code,
    clean_id,
    header,
    load_json,
    parse_time,
    validate,
)
from schemas.adapters.woocommerce.codes import (
    CREATED,
    DELETED,
    INCIDENTS,
    PROVIDERS,
    TOPIC_HEADER,
    TOPICS,
    OrderStatus,
)
from schemas.adapters.woocommerce.models import TrackingItem, WooOrder
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    Milestone,
    Responsible,
)

FORMAT = "woocommerce"
_PING = re.compile(rb"^\s*webhook_id=\d+\s*$")


def provider_code(item: TrackingItem) -> str:
    name = (item.tracking_provider or item.custom_tracking_provider).strip().lower()
    return PROVIDERS.get(name) or carrier_code(name)


class WooCommerceAdapter:
    """WooCommerce ``order.*`` webhooks (and REST order bodies replayed without a topic)."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        topic = header(raw.headers, TOPIC_HEADER).lower()
        if _PING.match(raw.value):
            return NormalizeResult.problem(
                "WooCommerce webhook ping (webhook_id=...) sent when a webhook is saved: no order"
            )
        if topic and topic not in TOPICS:
            return NormalizeResult.problem(
                f"WooCommerce webhook topic {topic!r} is not an order topic"
                f" (supported: {', '.join(TOPICS)})"
            )
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        mapper = _Mapper(ctx, raw, ingested_at)
        try:
            if isinstance(payload, list):
                return mapper.each(payload, topic or CREATED, "")
            if not isinstance(payload, dict):
                return NormalizeResult.problem(
                    f"WooCommerce order must be a JSON object, got {type(payload).__name__}"
                )
            if not topic and {"create", "update", "delete"} & set(payload):
                result = NormalizeResult()
                for key, kind in (
                    ("create", CREATED),
                    ("update", "order.updated"),
                    ("delete", DELETED),
                ):
                    items = payload.get(key)
                    if isinstance(items, list):
                        result.extend(mapper.each(items, kind, key))
                return result
            return mapper.order(payload, topic or CREATED, "order")
        except (ValidationError, ValueError, OverflowError) as exc:
            return NormalizeResult.problem(
                f"WooCommerce {topic or 'order'} could not be mapped: {exc}"
            )


def _not_an_order(payload: dict[str, Any]) -> str:
    """Why a body that is not an order is not one (other WooCommerce resources)."""
    if "note" in payload and "author" in payload:
        return "WooCommerce order note, not an order (notes carry no order id or status)"
    if "refunded_by" in payload or ("amount" in payload and "refunded_payment" in payload):
        return "WooCommerce refund resource, not an order (refunds carry no order id)"
    if "delivery_url" in payload and "topic" in payload:
        return "WooCommerce webhook subscription, not an order"
    return ""


class _Mapper:
    def __init__(self, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime) -> None:
        self.ctx = ctx
        self.raw = raw
        self.ingested_at = ingested_at

    def each(self, items: list[Any], topic: str, where: str) -> NormalizeResult:
        result = NormalizeResult()
        for index, item in enumerate(items):
            result.extend(self.order(item, topic, f"{where}[{index}]"))
        if not result.events and not result.problems:
            result.problems.append("WooCommerce payload holds no orders")
        result.problems = list(dict.fromkeys(result.problems))
        return result

    def order(self, data: Any, topic: str, where: str) -> NormalizeResult:
        if isinstance(data, dict) and (reason := _not_an_order(data)):
            return NormalizeResult.problem(reason)
        if topic == DELETED and isinstance(data, dict) and "status" not in data:
            return NormalizeResult.problem(
                f"WooCommerce order.deleted for order {data.get('id')!r} carries no time:"
                " nothing to place on the timeline"
            )
        order, error = validate(WooOrder, data, f"WooCommerce order ({where})")
        if order is None:
            return NormalizeResult.problem(error or "unreadable WooCommerce order")
        store_id = clean_id(order.id)
        number = clean_id(order.number) or store_id
        if not store_id:
            return NormalizeResult.problem(f"WooCommerce order ({where}) has no id")
        order_id = Identifier(type=IdType.order, value=number.lstrip("#"))
        own = Identifier(type=IdType.marketplace_order, value=store_id, issuer=self.ctx.partner_id)
        ids, links = [order_id, own], [IdentifierLink(child=own, parent=order_id)]
        status = order.status.strip().lower()
        result = NormalizeResult()
        if topic == DELETED:
            self._emit(
                result, Milestone.order_cancelled, order.date_modified_gmt, order.date_modified,
                ids, links, "deleted", f"Order #{number} deleted (was {status})",
            )  # fmt: skip
            return result
        name = OrderStatus.find(status)
        placed = name == Milestone.order_placed.value
        if topic == CREATED or placed:
            self._emit(
                result, Milestone.order_placed, order.date_created_gmt, order.date_created,
                ids, links, "order.created" if topic == CREATED else status,
                f"Order #{number} placed ({status})",
            )  # fmt: skip
            if placed:
                return result
        gmt, local = order.date_modified_gmt, order.date_modified
        if status == "processing" and (order.date_paid_gmt or order.date_paid):
            gmt, local = order.date_paid_gmt, order.date_paid
        if status == "completed" and (order.date_completed_gmt or order.date_completed):
            gmt, local = order.date_completed_gmt, order.date_completed
        milestone = Milestone(name) if name else Milestone.unknown
        flags = () if name else (UNKNOWN_STATUS,)
        exception = None
        if milestone in (Milestone.on_hold, Milestone.exception):
            reason, responsible = INCIDENTS.get(status, ("unknown", None))
            exception = ExceptionInfo(
                reason=reason,
                responsible=responsible or Responsible.unknown,
                description=f"WooCommerce order status {status}",
            )
        description = f"Order #{number} is {status}"
        if status == "completed":
            numbers = self._tracking(order, result, ids, links, order_id, where)
            if numbers:
                description += f", tracking {', '.join(numbers)}"
        self._emit(result, milestone, gmt, local, ids, links, status, description, flags, exception)
        return result

    def _tracking(
        self,
        order: WooOrder,
        result: NormalizeResult,
        ids: list[Identifier],
        links: list[IdentifierLink],
        parent: Identifier,
        where: str,
    ) -> list[str]:
        numbers = []
        for index, entry in enumerate(order.tracking_items()):
            item, error = validate(TrackingItem, entry, f"{where} tracking item {index}")
            number = clean_id(item.tracking_number) if item else ""
            if item is None or not number:
                result.problems.append(error or f"{where}: tracking item {index} has no number")
                continue
            tracking = Identifier(
                type=IdType.tracking_number, value=number, issuer=provider_code(item)
            )
            ids.append(tracking)
            links.append(IdentifierLink(child=tracking, parent=parent))
            numbers.append(number)
        return numbers

    def _emit(
        self,
        result: NormalizeResult,
        milestone: Milestone,
        gmt: str | None,
        local: str | None,
        ids: list[Identifier],
        links: list[IdentifierLink],
        raw_status: str,
        description: str,
        flags: tuple[str, ...] = (),
        exception: ExceptionInfo | None = None,
    ) -> None:
        try:
            if gmt:  # GMT by WooCommerce's definition, written without an offset
                occurred_at, time_flags = parse_time(gmt, "date_*_gmt", local=UTC)
            else:
                occurred_at, time_flags = parse_time(local, "date (store-local)")
        except ValueError as exc:
            result.problems.append(f"{raw_status}: {exc}")
            return
        result.events.append(
            build_event(
                ctx=self.ctx,
                raw=self.raw,
                ingested_at=self.ingested_at,
                milestone=milestone,
                occurred_at=occurred_at,
                identifiers=ids,
                links=links,
                raw_status=raw_status,
                description=description,
                exception=exception,
                extra_flags=(*time_flags, *flags),
            )
        )


ADAPTER = WooCommerceAdapter()
