"""Walmart Marketplace orders, shipping updates and order webhooks -> canonical events.

An order's lines each carry their own status; lines in the same status (and, once
shipped, with the same tracking number) become one event: ``Created`` at the order date,
``Shipped`` at the tracking info's ship time with the tracking number, the others at the
line's status date. Webhooks (``PO_CREATED``, ``ORDER_UPDATES`` and its sub-events) read
the same way; ``PO_LINE_AUTOCANCELLED``, ``INTENT_TO_CANCEL`` and ``FRAUD_CANCEL`` decide
the milestone and the responsible party themselves.

Identifiers: the seller's ``sellerOrderId`` is the retailer's order number (``order``);
Walmart's ``purchaseOrderId`` and ``customerOrderId`` are its own (``marketplace_order``).
WFS multichannel status (``getFulfillmentOrdersStatus``) adds shipments, packages and
tracking numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.common import (
    UNKNOWN_STATUS,
    add_event,
    carrier_code,
    clean_id,
    load_json_object,
    parse_time,
    promised_time,
    validate,
)
from schemas.adapters.walmart.codes import EVENTS, ORDER_EVENTS, LineStatus, WfsStatus
from schemas.adapters.walmart.models import WalmartOrder, WebhookSource, WfsOrder, WfsShipment
from schemas.canonical import ExceptionInfo, Identifier, IdentifierLink, IdType, Milestone

FORMAT = "walmart"


class WalmartAdapter:
    """Walmart Marketplace order resources (polled or pushed) and order webhooks."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json_object(raw, "Walmart")
        if payload is None:
            return NormalizeResult.problem(error or "no payload")
        try:
            return _Mapper(ctx, raw, ingested_at).document(payload)
        except (ValidationError, ValueError, OverflowError) as exc:
            return NormalizeResult.problem(f"Walmart payload could not be mapped: {exc}")


class _Mapper:
    def __init__(self, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime) -> None:
        self.ctx = ctx
        self.raw = raw
        self.ingested_at = ingested_at
        self.reported_at: datetime | None = None

    def document(self, payload: dict[str, Any]) -> NormalizeResult:
        if isinstance(payload.get("source"), dict) and "payload" in payload:
            return self.webhook(payload)
        if "order" in payload:
            return self.order(payload["order"], "order")
        if isinstance(payload.get("list"), dict):
            elements = payload["list"].get("elements")
            orders = elements.get("order") if isinstance(elements, dict) else None
            if isinstance(orders, list):
                return self.each(orders, "list.elements.order")
            return NormalizeResult.problem("Walmart order list has no list.elements.order")
        if "purchaseOrderId" in payload:
            return self.order(payload, "order")
        if isinstance(payload.get("errors"), dict | list):
            return self.errors(payload["errors"])
        body = payload.get("payload")
        if (
            isinstance(body, list)
            and body
            and all(isinstance(i, dict) and "sellerOrderId" in i for i in body)
        ):
            result = NormalizeResult()
            for index, item in enumerate(body):
                result.extend(self.wfs_order(item, f"payload[{index}]"))
            return result
        if "events" in payload:
            return NormalizeResult.problem(
                "Walmart notification event types or subscriptions, not an order"
            )
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], dict)
            and ("inboundOrderId" in body[0] or "shipmentId" in body[0])
        ):
            return NormalizeResult.problem(
                "Walmart WFS inbound shipment (stock sent to a Walmart warehouse), not an order"
            )
        if isinstance(body, dict) and "fulfillmentPlans" in body:
            return NormalizeResult.problem(
                "Walmart fulfillment promise (a delivery quote), not an order"
            )
        keys = ", ".join(sorted(map(str, payload))[:8]) or "none"
        return NormalizeResult.problem(
            f"Walmart payload is neither an order nor an order webhook (top-level keys: {keys})"
        )

    def each(self, items: list[Any], where: str) -> NormalizeResult:
        result = NormalizeResult()
        for index, item in enumerate(items):
            result.extend(self.order(item, f"{where}[{index}]"))
        if not result.events and not result.problems:
            result.problems.append(f"Walmart order list {where} is empty")
        return result

    def errors(self, errors: Any) -> NormalizeResult:
        items = errors.get("error") if isinstance(errors, dict) else errors
        problems = []
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict):
                code = item.get("code", "unknown")
                text = item.get("description") or item.get("info") or "no description"
                problems.append(f"Walmart error {code}: {text}")
        return NormalizeResult(problems=problems or ["Walmart error response without details"])

    def webhook(self, payload: dict[str, Any]) -> NormalizeResult:
        source, error = validate(WebhookSource, payload["source"], "Walmart webhook source")
        if source is None:
            return NormalizeResult.problem(error or "unreadable Walmart webhook source")
        body = payload["payload"]
        event = source.event_type.strip().upper()
        if isinstance(body, dict) and isinstance(body.get("order"), dict):
            meta = body.get("meta")
            sub = meta.get("subEventType") if isinstance(meta, dict) else None
            event = str(body.get("subEventType") or sub or event).upper()
            body = body["order"]
        if event not in ORDER_EVENTS:
            return NormalizeResult.problem(
                f"Walmart {event or 'unnamed'} notification is not about an order"
                f" (order events: {', '.join(sorted(ORDER_EVENTS))})"
            )
        try:
            self.reported_at = parse_time(source.event_time, "source.eventTime")[0]
        except ValueError:
            self.reported_at = None
        return self.order(body, "payload", event=event, event_time=source.event_time)

    # --- orders --------------------------------------------------------------------------

    def _ids(
        self, order: WalmartOrder, po: str
    ) -> tuple[list[Identifier], list[IdentifierLink], Identifier]:
        purchase_order = Identifier(
            type=IdType.marketplace_order, value=po, issuer=self.ctx.partner_id
        )
        ids, links = [purchase_order], []
        seller = clean_id(order.seller_order_id)
        if seller:
            ids.insert(0, Identifier(type=IdType.order, value=seller))
            links.append(IdentifierLink(child=purchase_order, parent=ids[0]))
        customer = clean_id(order.customer_order_id)
        if customer and customer != po:
            customer_order = Identifier(
                type=IdType.marketplace_order, value=customer, issuer=self.ctx.partner_id
            )
            ids.append(customer_order)
            links.append(IdentifierLink(child=purchase_order, parent=customer_order))
        return ids, links, purchase_order

    def order(
        self, data: Any, where: str, event: str = "", event_time: str | None = None
    ) -> NormalizeResult:
        order, error = validate(WalmartOrder, data, f"Walmart order ({where})")
        if order is None:
            return NormalizeResult.problem(error or "unreadable Walmart order")
        po = clean_id(order.purchase_order_id)
        if not po:
            return NormalizeResult.problem(f"Walmart order ({where}) has no purchaseOrderId")
        ids, links, purchase_order = self._ids(order, po)
        result = NormalizeResult()
        promised = promised_time(
            result,
            order.shipping_info.estimated_delivery_date if order.shipping_info else None,
            f"Walmart order {po} shippingInfo.estimatedDeliveryDate",
        )
        if event in EVENTS:
            name, reason, responsible = EVENTS[event]
            dates = [line.status_date for line in order.order_lines if line.status_date]
            lines = ", ".join(str(line.line_number) for line in order.order_lines)
            self._emit(
                result,
                Milestone(name),
                event_time or _latest(dates),
                ids,
                links,
                event,
                f"PO {po} {event.lower().replace('_', ' ')} (lines {lines or 'n/a'})",
                exception=ExceptionInfo(
                    reason=reason, responsible=responsible, description=event.lower()
                ),
                promised_by=promised,
            )
            return result
        groups: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
        carriers: dict[str, str] = {}
        for line in order.order_lines:
            for status in line.statuses:
                info = status.tracking_info
                number = clean_id(info.tracking_number) if info else ""
                if info and number and info.carrier_name:
                    carrier = info.carrier_name.carrier or info.carrier_name.other_carrier
                    carriers[number] = carrier_code(carrier)
                when = line.status_date
                if info and info.ship_date_time is not None:
                    when = info.ship_date_time
                groups.setdefault((status.status, number), []).append((line.line_number, when))
        for (code, number), members in groups.items():
            name = LineStatus.find(code)
            milestone = Milestone(name) if name else Milestone.unknown
            when = order.order_date if milestone is Milestone.order_placed else None
            if when is None:
                when = _latest([w for _, w in members if w is not None]) or event_time
            group_ids, group_links = list(ids), list(links)
            text = f"PO {po} lines {', '.join(str(n) for n, _ in members)} {code}"
            if number:
                tracking = Identifier(
                    type=IdType.tracking_number, value=number, issuer=carriers.get(number, "")
                )
                group_ids.append(tracking)
                group_links.append(IdentifierLink(child=tracking, parent=purchase_order))
                text += f", tracking {number}"
            self._emit(
                result,
                milestone,
                when,
                group_ids,
                group_links,
                code,
                text,
                flags=() if name else (UNKNOWN_STATUS,),
                promised_by=promised,
            )
        if not result.events and not result.problems:
            result.problems.append(f"Walmart order {po} has no order lines with a status")
        return result

    def wfs_order(self, data: Any, where: str) -> NormalizeResult:
        order, error = validate(WfsOrder, data, f"Walmart fulfillment order ({where})")
        if order is None:
            return NormalizeResult.problem(error or "unreadable Walmart fulfillment order")
        seller = clean_id(order.seller_order_id)
        if not seller:
            return NormalizeResult.problem(
                f"Walmart fulfillment order ({where}) has no sellerOrderId"
            )
        order_id = Identifier(type=IdType.order, value=seller)
        result = NormalizeResult()
        self._emit(
            result,
            Milestone.order_placed,
            order.order_date,
            [order_id],
            [],
            "orderDate",
            f"Fulfillment order {seller} placed (now {order.status or 'n/a'})",
        )
        for shipment in order.shipments:
            self._wfs_shipment(result, shipment, order_id)
        return result

    def _wfs_shipment(
        self, result: NormalizeResult, shipment: WfsShipment, order: Identifier
    ) -> None:
        ids, links = [order], []
        holder = order
        po = clean_id(shipment.purchase_order_id)
        if po:
            purchase_order = Identifier(
                type=IdType.marketplace_order, value=po, issuer=self.ctx.partner_id
            )
            ids.append(purchase_order)
            links.append(IdentifierLink(child=purchase_order, parent=order))
        for id_type, value in (
            (IdType.shipment, shipment.shipment_no),
            (IdType.package, shipment.package_id),
        ):
            text = clean_id(value)
            if text:
                ident = Identifier(type=id_type, value=text, issuer=self.ctx.partner_id)
                ids.append(ident)
                links.append(IdentifierLink(child=ident, parent=holder))
                holder = ident
        number = clean_id(shipment.tracking_no)
        if number:
            tracking = Identifier(
                type=IdType.tracking_number, value=number, issuer=carrier_code(shipment.carrier)
            )
            ids.append(tracking)
            links.append(IdentifierLink(child=tracking, parent=holder))
        dates = {d.date_type_id.upper(): d.actual_date for d in shipment.shipment_dates}
        steps = ((Milestone.handed_off, "SHIPMENT"), (Milestone.delivered, "DELIVERY"))
        for milestone, kind in steps:
            if dates.get(kind):
                self._emit(
                    result,
                    milestone,
                    dates[kind],
                    ids,
                    links,
                    f"{kind}/{shipment.status}",
                    f"Shipment {shipment.shipment_no or '?'} {kind.lower()} ({shipment.carrier})",
                )
        if not any(dates.get(kind) for _, kind in steps):
            name = WfsStatus.find(shipment.status)
            self._emit(
                result,
                Milestone(name) if name else Milestone.unknown,
                None,
                ids,
                links,
                shipment.status,
                f"Shipment {shipment.shipment_no or '?'} is {shipment.status}",
                flags=() if name else (UNKNOWN_STATUS,),
            )

    def _emit(
        self,
        result: NormalizeResult,
        milestone: Milestone,
        when: object,
        ids: list[Identifier],
        links: list[IdentifierLink],
        raw_status: str,
        description: str,
        flags: tuple[str, ...] = (),
        exception: ExceptionInfo | None = None,
        promised_by: datetime | None = None,
    ) -> None:
        add_event(
            result, when=when, what=f"{raw_status} date", extra_flags=flags, ctx=self.ctx,
            raw=self.raw, ingested_at=self.ingested_at, milestone=milestone, identifiers=ids,
            links=links, raw_status=raw_status, description=description,
            reported_at=self.reported_at, exception=exception, promised_by=promised_by,
        )  # fmt: skip


def _latest(values: list[Any]) -> Any:
    """The latest of several partner times (an unreadable one is returned to be reported)."""
    parsed = []
    for value in values:
        try:
            parsed.append((parse_time(value)[0], value))
        except ValueError:
            return value
    return max(parsed, key=lambda p: p[0])[1] if parsed else None


ADAPTER = WalmartAdapter()
