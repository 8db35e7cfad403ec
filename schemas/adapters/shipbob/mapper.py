"""ShipBob webhooks, shipments, orders, tracking histories and timelines -> canonical events.

The topic comes from the ``x-webhook-topic`` header (legacy subscriptions:
``shipbob-topic``). Lifecycle topics (``order.shipped``, ``order.shipment.delivered``,
``...exception``, ``...on_hold``, ``...cancelled``) decide the milestone; tracking topics,
and bodies sent without a topic, go by the body's ``status``.

``reference_id`` (the sales channel's order id) and ``order_number`` are the retailer's
order number (``order``); ShipBob's order and shipment ids are ``fulfillment_order`` and
``shipment``; the tracking number and any carton barcode that is an SSCC (18 digits) hang
below the shipment. Timelines name neither order nor shipment: the polling gateway sends
them with ``x-shipbob-order-id`` / ``x-shipbob-shipment-id`` (and ``x-shipbob-reference-id``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import CodeTable
from schemas.adapters.common import (
    UNKNOWN_STATUS,
    add_event,
    carrier_code,
    clean_id,
    header,
    load_json,
    validate,
)
from schemas.adapters.shipbob.codes import (
    DEFAULT_RESPONSIBLE,
    ORDER_ID_HEADER,
    REFERENCE_ID_HEADER,
    SHIPMENT_ID_HEADER,
    STATUS_DETAILS,
    TIMELINE_WORDS,
    TOPIC_HEADERS,
    TOPICS,
    TRACKING_TOPICS,
    ShipmentStatus,
    TrackingStatus,
)
from schemas.adapters.shipbob.models import (
    Order,
    Shipment,
    TimelineEntry,
    TrackingEvent,
    TrackingHistory,
)
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    Milestone,
    Responsible,
)

FORMAT = "shipbob"
_SSCC = re.compile(r"^(?:\(?00\)?)?(\d{18})$")


def sscc_of(barcode: object) -> str:
    """An 18-digit SSCC from a carton barcode (optionally with its AI ``00``), else ""."""
    match = _SSCC.match(clean_id(barcode).replace(" ", ""))
    return match.group(1) if match else ""


class ShipBobAdapter:
    """ShipBob 3PL webhooks and polled order, shipment, tracking and timeline resources."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        topic = next((header(raw.headers, h) for h in TOPIC_HEADERS if header(raw.headers, h)), "")
        topic = topic.lower()
        if topic and topic not in TOPICS and topic not in TRACKING_TOPICS:
            return NormalizeResult.problem(
                f"ShipBob topic {topic!r} does not report shipment progress (supported:"
                f" {', '.join(sorted({*TOPICS, *TRACKING_TOPICS}))})"
            )
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        mapper = _Mapper(ctx, raw, ingested_at, topic)
        try:
            return mapper.document(payload)
        except (ValidationError, ValueError, OverflowError) as exc:
            return NormalizeResult.problem(f"ShipBob payload could not be mapped: {exc}")


class _Mapper:
    def __init__(
        self, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime, topic: str
    ) -> None:
        self.ctx = ctx
        self.raw = raw
        self.ingested_at = ingested_at
        self.topic = topic

    def document(self, payload: Any) -> NormalizeResult:
        first = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(first, dict) and (reason := _not_progress(first)):
            return NormalizeResult.problem(reason)
        if isinstance(payload, dict) and "original_shipment_id" in payload:
            return self.return_(payload)
        if isinstance(payload, list):
            if not payload:
                return NormalizeResult.problem("ShipBob payload is an empty list")
            first = payload[0] if isinstance(payload[0], dict) else {}
            if "history" in first:
                return self.each(payload, self.tracking_history)
            if "log_type_id" in first or "log_type_name" in first:
                return self.timeline(payload)
            if "shipments" in first or "order_number" in first:
                return self.each(payload, self.order)
            return self.each(payload, self.shipment)
        if not isinstance(payload, dict):
            return NormalizeResult.problem(
                f"ShipBob payload must be a JSON object or list, got {type(payload).__name__}"
            )
        if "shipments" in payload:
            return self.order(payload, "order")
        if "history" in payload:
            return self.tracking_history(payload, "tracking")
        if not ({"status", "tracking", "event_time", "actual_fulfillment_date"} & set(payload)):
            keys = ", ".join(sorted(map(str, payload))[:8]) or "none"
            return NormalizeResult.problem(
                f"ShipBob payload is not an order, shipment, tracking or timeline (keys: {keys})"
            )
        return self.shipment(payload, "shipment")

    def each(self, items: list[Any], mapper: Any) -> NormalizeResult:
        result = NormalizeResult()
        for index, item in enumerate(items):
            result.extend(mapper(item, f"[{index}]"))
        result.problems = list(dict.fromkeys(result.problems))
        return result

    # --- identifiers ---------------------------------------------------------------------

    def _ids(
        self,
        reference: object,
        number: object,
        order_id: object,
        shipment_id: object,
    ) -> tuple[list[Identifier], list[IdentifierLink], Identifier | None]:
        """Order numbers, ShipBob's order and shipment ids, linked parent to child."""
        ids: list[Identifier] = []
        links: list[IdentifierLink] = []
        values = [clean_id(clean_id(v).lstrip("#")) for v in (reference, number)]
        for value in dict.fromkeys(v for v in values if v):
            ident = Identifier(type=IdType.order, value=value)
            if ids:
                links.append(IdentifierLink(child=ident, parent=ids[0]))
            ids.append(ident)
        parent = ids[0] if ids else None
        for kind, raw_id in ((IdType.fulfillment_order, order_id), (IdType.shipment, shipment_id)):
            text = clean_id(raw_id)
            if text:
                ident = Identifier(type=kind, value=text, issuer=self.ctx.partner_id)
                if parent is not None:
                    links.append(IdentifierLink(child=ident, parent=parent))
                ids.append(ident)
                parent = ident
        return ids, links, parent

    def _event(
        self,
        result: NormalizeResult,
        *,
        milestone: Milestone,
        when: object,
        what: str,
        ids: list[Identifier],
        links: list[IdentifierLink],
        raw_status: str,
        description: str,
        flags: tuple[str, ...] = (),
        exception: ExceptionInfo | None = None,
        location: str = "",
        discriminator: str = "",
    ) -> None:
        if not ids:
            result.problems.append(
                f"ShipBob {raw_status or 'report'}: no order reference, order, shipment or"
                " tracking number to follow"
            )
            return
        add_event(
            result, when=when, what=what, extra_flags=flags, ctx=self.ctx, raw=self.raw,
            ingested_at=self.ingested_at, milestone=milestone, identifiers=ids, links=links,
            raw_status=raw_status, description=description, exception=exception,
            location=location, discriminator=discriminator,
        )  # fmt: skip

    @staticmethod
    def _status(table: type[CodeTable], *codes: str) -> tuple[Milestone, tuple[str, ...]]:
        name = table.find(*(c for c in codes if c))
        return (Milestone(name), ()) if name else (Milestone.unknown, (UNKNOWN_STATUS,))

    # --- shipments and orders ------------------------------------------------------------

    def shipment(self, data: Any, where: str, order: Order | None = None) -> NormalizeResult:
        shipment, error = validate(Shipment, data, f"ShipBob shipment ({where})")
        if shipment is None:
            return NormalizeResult.problem(error or "unreadable ShipBob shipment")
        ids, links, parent = self._ids(
            shipment.reference_id or (order.reference_id if order else None),
            shipment.order_number or (order.order_number if order else None),
            shipment.order_id or (order.id if order else None),
            shipment.shipment_id or shipment.id,
        )
        tracking = shipment.tracking
        number = clean_id(tracking.tracking_number) if tracking else ""
        holder = parent
        if number and tracking:
            tracking_id = Identifier(
                type=IdType.tracking_number, value=number, issuer=carrier_code(tracking.carrier)
            )
            ids.append(tracking_id)
            if holder is not None:
                links.append(IdentifierLink(child=tracking_id, parent=holder))
        for carton in shipment.parent_cartons:
            for barcode in (carton.barcode, *(c.barcode for c in carton.cartons)):
                sscc = sscc_of(barcode)
                if sscc:
                    ident = Identifier(type=IdType.sscc, value=sscc)
                    ids.append(ident)
                    if holder is not None:
                        links.append(IdentifierLink(child=ident, parent=holder))
        status = (shipment.status or "").strip()
        flags: tuple[str, ...] = ()
        if self.topic in TOPICS:
            milestone = TOPICS[self.topic]
        elif self.topic in TRACKING_TOPICS:
            milestone, flags = self._status(TrackingStatus, status or "LabelCreated")
        else:
            milestone, flags = self._status(ShipmentStatus, status)
        when: object = shipment.event_time
        if when is None:
            when = (
                {
                    Milestone.handed_off: shipment.actual_fulfillment_date
                    or (tracking.shipping_date if tracking else None),
                    Milestone.delivered: shipment.delivery_date,
                    Milestone.label_created: tracking.shipping_date if tracking else None,
                }.get(milestone)
                or shipment.last_update_at
                or shipment.created_date
            )
        exception = None
        if milestone in DEFAULT_RESPONSIBLE:
            detail = next((d for d in shipment.status_details if d.name), None)
            reason, responsible = STATUS_DETAILS.get(
                detail.name if detail and detail.name else "",
                ("unknown", DEFAULT_RESPONSIBLE[milestone]),
            )
            exception = ExceptionInfo(
                reason=reason,
                responsible=responsible,
                description=(detail.description or detail.name or "") if detail else status,
            )
        carrier = " ".join(
            p for p in ((tracking.carrier, tracking.carrier_service) if tracking else ()) if p
        )
        place = shipment.location.name if shipment.location and shipment.location.name else ""
        description = f"ShipBob shipment {clean_id(shipment.shipment_id or shipment.id) or '?'}"
        description += f" {self.topic or status or 'update'}"
        if number:
            description += f", {carrier or 'carrier'} {number}"
        result = NormalizeResult()
        self._event(
            result,
            milestone=milestone,
            when=when,
            what="event_time",
            ids=ids,
            links=links,
            raw_status="/".join(p for p in (self.topic, status) if p),
            description=description,
            flags=flags,
            exception=exception,
            location=place,
        )
        return result

    def order(self, data: Any, where: str) -> NormalizeResult:
        order, error = validate(Order, data, f"ShipBob order ({where})")
        if order is None:
            return NormalizeResult.problem(error or "unreadable ShipBob order")
        ids, links, _ = self._ids(order.reference_id, order.order_number, order.id, None)
        result = NormalizeResult()
        self._event(
            result,
            milestone=Milestone.released_to_warehouse,
            when=order.created_date or order.purchase_date,
            what="created_date",
            ids=ids,
            links=links,
            raw_status="order_created",
            description=f"Order received by ShipBob (status {order.status or 'n/a'})",
        )
        for index, item in enumerate(order.shipments):
            result.extend(self.shipment(item, f"{where}.shipments[{index}]", order))
        return result

    def return_(self, payload: dict[str, Any]) -> NormalizeResult:
        """A return: back at ShipBob once it arrived (joined by the original shipment)."""
        ids, links, _ = self._ids(None, None, None, payload.get("original_shipment_id"))
        when = payload.get("arrived_date") or payload.get("completed_date")
        if not when:
            return NormalizeResult.problem(
                f"ShipBob return {payload.get('id')!r} has not arrived yet (no arrived_date)"
            )
        result = NormalizeResult()
        self._event(
            result,
            milestone=Milestone.return_received,
            when=when,
            what="arrived_date",
            ids=ids,
            links=links,
            raw_status=f"return/{payload.get('status') or 'arrived'}",
            description=f"Return {payload.get('id')} arrived at ShipBob",
        )
        return result

    # --- tracking and timelines ----------------------------------------------------------

    def tracking_history(self, data: Any, where: str) -> NormalizeResult:
        history, error = validate(TrackingHistory, data, f"ShipBob tracking ({where})")
        if history is None:
            return NormalizeResult.problem(error or "unreadable ShipBob tracking")
        number = clean_id(history.tracking_number)
        ids, links, parent = self._ids(None, None, None, history.shipment_id)
        if number:
            tracking = Identifier(
                type=IdType.tracking_number, value=number, issuer=carrier_code(history.carrier)
            )
            ids.append(tracking)
            if parent is not None:
                links.append(IdentifierLink(child=tracking, parent=parent))
        result = NormalizeResult()
        for index, event in enumerate(history.history):
            self._tracking_event(result, event, ids, links, f"{where}.history[{index}]")
        if not result.events and not result.problems:
            result.problems.append(f"ShipBob tracking {number or where} has no history yet")
        return result

    def _tracking_event(
        self,
        result: NormalizeResult,
        event: TrackingEvent,
        ids: list[Identifier],
        links: list[IdentifierLink],
        where: str,
    ) -> None:
        milestone, flags = self._status(TrackingStatus, event.substatus, event.status)
        exception = None
        if milestone in DEFAULT_RESPONSIBLE:  # a carrier's scan: the carrier unless refused
            exception = ExceptionInfo(
                reason="unknown",
                responsible=Responsible.consignee
                if milestone is Milestone.delivery_failed
                else Responsible.carrier,
                description=event.message or event.carrier_message,
            )
        self._event(
            result,
            milestone=milestone,
            when=event.timestamp,
            what=f"{where}.timestamp",
            ids=ids,
            links=links,
            raw_status="/".join(p for p in (event.status, event.substatus) if p),
            description=event.message or event.carrier_message or event.status,
            flags=flags,
            exception=exception,
            location=event.location,
            discriminator=event.location,
        )

    def timeline(self, items: list[Any]) -> NormalizeResult:
        headers = self.raw.headers
        ids, links, _ = self._ids(
            header(headers, REFERENCE_ID_HEADER),
            None,
            header(headers, ORDER_ID_HEADER),
            header(headers, SHIPMENT_ID_HEADER),
        )
        if not ids:
            return NormalizeResult.problem(
                "ShipBob timeline names neither order nor shipment: send it with the"
                f" {ORDER_ID_HEADER} / {SHIPMENT_ID_HEADER} headers of the request it answers"
            )
        result = NormalizeResult()
        for index, item in enumerate(items):
            entry, error = validate(TimelineEntry, item, f"ShipBob timeline [{index}]")
            if entry is None:
                result.problems.append(error or f"unreadable timeline entry {index}")
                continue
            text = " ".join(p for p in (entry.log_type_name, entry.log_type_text) if p)
            milestone = next(
                (m for word, m in TIMELINE_WORDS if word in text.lower()), Milestone.unknown
            )
            self._event(
                result,
                milestone=milestone,
                when=entry.timestamp,
                what=f"timeline[{index}].timestamp",
                ids=ids,
                links=links,
                raw_status=clean_id(entry.log_type_id) or entry.log_type_name or "",
                description=text or "timeline entry",
                flags=() if milestone is not Milestone.unknown else (UNKNOWN_STATUS,),
                discriminator=clean_id(entry.log_type_id),
            )
        return result


def _not_progress(item: dict[str, Any]) -> str:
    """Why a ShipBob resource says nothing about an outbound order's progress ("" if it does)."""
    keys = set(item)
    if keys & {"box_packaging_type", "inventory_quantities", "distributions", "box_items"}:
        return (
            "ShipBob receiving order (inbound stock to a ShipBob warehouse), not an outbound order"
        )
    if {"timezone", "address1"} <= keys and "status" not in keys:
        return "ShipBob fulfillment center list, not an order"
    if "committed_quantity" in keys:
        return "ShipBob shipment line items carry no status or time"
    if "canceled_shipment_results" in keys:
        return "ShipBob cancel result carries no time; the order.shipment.cancelled webhook does"
    return ""


ADAPTER = ShipBobAdapter()
