"""ShipStation orders, shipments and tracking webhooks -> canonical journey events.

- API v1 orders (single, or ``{"orders": [...]}``): the order's status as a milestone.
- API v1 shipments (``{"shipments": [...]}``, what a ``SHIP_NOTIFY`` webhook's
  ``resource_url`` returns; a gateway fetches and forwards it): each shipment is the
  warehouse shipping with a label (``handed_off``), a voided label an exception.
- API v2 ``track`` webhooks (``data`` = tracking information): one event per carrier scan.

v1 times carry no offset; ShipStation documents them as US Pacific time, so they are read
in ``America/Los_Angeles`` (no flag). ``orderNumber`` is the retailer's order number,
ShipStation's ``orderId`` and ``shipmentId`` its own ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import Scan, place, scan_event
from schemas.adapters.common import (
    UNKNOWN_STATUS,
    add_event,
    carrier_code,
    clean_id,
    load_json,
    parse_time,
    validate,
)
from schemas.adapters.shipstation.codes import (
    OrderStatus,
    TrackingIncidentReason,
    TrackingStatus,
)
from schemas.adapters.shipstation.models import Order, Shipment, TrackingInformation, Webhook
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    Milestone,
    Responsible,
)

FORMAT = "shipstation"
#: The zone ShipStation's API v1 writes its (offset-less) times in.
PACIFIC = ZoneInfo("America/Los_Angeles")


class ShipStationAdapter:
    """ShipStation API v1 orders and shipments, API v2 tracking webhooks."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        mapper = _Mapper(ctx, raw, ingested_at)
        try:
            return mapper.document(payload)
        except (ValidationError, ValueError, OverflowError) as exc:
            return NormalizeResult.problem(f"ShipStation payload could not be mapped: {exc}")


class _Mapper:
    def __init__(self, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime) -> None:
        self.ctx = ctx
        self.raw = raw
        self.ingested_at = ingested_at

    def document(self, payload: Any) -> NormalizeResult:
        if isinstance(payload, list):
            return NormalizeResult.problem(
                "ShipStation list (carriers, services, warehouses or stores) is not an order"
            )
        if not isinstance(payload, dict):
            return NormalizeResult.problem(
                f"ShipStation payload must be a JSON object, got {type(payload).__name__}"
            )
        if "resource_type" in payload or "resource_url" in payload:
            return self.webhook(payload)
        if isinstance(payload.get("orders"), list):
            return self.each(payload["orders"], "orders", self.order)
        if isinstance(payload.get("shipments"), list):
            return self.each(payload["shipments"], "shipments", self.shipment)
        if "orderStatus" in payload:
            return self.order(payload, "order")
        if "labelData" in payload:
            return NormalizeResult.problem(
                "ShipStation label answer names no order and no time; the SHIP_NOTIFY shipments"
                " list reports the same shipment with both"
            )
        if "shipmentId" in payload and "createDate" in payload:
            return self.shipment(payload, "shipment")
        if "tracking_number" in payload and "events" in payload:
            return self.tracking(payload, "tracking")
        if "success" in payload or "hasErrors" in payload:
            return NormalizeResult.problem(
                "ShipStation operation result (success/message), not an order or shipment"
            )
        if set(payload) <= {"orderId", "orderNumber"}:
            return NormalizeResult.problem(
                "ShipStation mark-as-shipped answer carries no time; the order (status shipped)"
                " or its shipments report it"
            )
        keys = ", ".join(sorted(map(str, payload))[:8]) or "none"
        return NormalizeResult.problem(
            f"ShipStation payload is not an order, shipment or tracking webhook (keys: {keys})"
        )

    def each(self, items: list[Any], where: str, mapper: Any) -> NormalizeResult:
        result = NormalizeResult()
        for index, item in enumerate(items):
            result.extend(mapper(item, f"{where}[{index}]"))
        if not result.events and not result.problems:
            result.problems.append(f"ShipStation {where} list is empty")
        return result

    def webhook(self, payload: dict[str, Any]) -> NormalizeResult:
        hook, error = validate(Webhook, payload, "ShipStation webhook")
        if hook is None:
            return NormalizeResult.problem(error or "unreadable ShipStation webhook")
        if hook.data is not None:
            return self.tracking(hook.data, "data")
        return NormalizeResult.problem(
            f"ShipStation {hook.resource_type or 'webhook'} only names a resource URL"
            f" ({hook.resource_url or 'none'}); the gateway must fetch it and forward the"
            " orders or shipments it returns"
        )

    # --- v1 orders and shipments ---------------------------------------------------------

    def _ids(
        self, number: object, order_id: object
    ) -> tuple[list[Identifier], list[IdentifierLink], Identifier | None]:
        ids: list[Identifier] = []
        links: list[IdentifierLink] = []
        order_number = clean_id(clean_id(number).lstrip("#"))
        if order_number:
            ids.append(Identifier(type=IdType.order, value=order_number))
        own = clean_id(order_id)
        if own:
            ident = Identifier(type=IdType.fulfillment_order, value=own, issuer=self.ctx.partner_id)
            if ids:
                links.append(IdentifierLink(child=ident, parent=ids[0]))
            ids.append(ident)
        return ids, links, (ids[-1] if ids else None)

    def _emit(
        self,
        result: NormalizeResult,
        milestone: Milestone,
        when: object,
        what: str,
        ids: list[Identifier],
        links: list[IdentifierLink],
        raw_status: str,
        description: str,
        flags: tuple[str, ...] = (),
        exception: ExceptionInfo | None = None,
        discriminator: str = "",
    ) -> None:
        if not ids:
            result.problems.append(f"{what}: neither orderNumber nor orderId to follow")
            return
        add_event(
            result, when=when, what=what, local=PACIFIC, extra_flags=flags, ctx=self.ctx,
            raw=self.raw, ingested_at=self.ingested_at, milestone=milestone, identifiers=ids,
            links=links, raw_status=raw_status, description=description, exception=exception,
            discriminator=discriminator,
        )  # fmt: skip

    def order(self, data: Any, where: str) -> NormalizeResult:
        order, error = validate(Order, data, f"ShipStation order ({where})")
        if order is None:
            return NormalizeResult.problem(error or "unreadable ShipStation order")
        ids, links, _ = self._ids(order.order_number, order.order_id)
        status = order.order_status.strip().lower()
        name = OrderStatus.find(status)
        milestone = Milestone(name) if name else Milestone.unknown
        field, when = {
            Milestone.order_placed: ("orderDate", order.order_date),
            Milestone.released_to_warehouse: ("createDate", order.create_date),
        }.get(milestone, ("modifyDate", order.modify_date or order.create_date))
        exception = None
        description = f"ShipStation order {clean_id(order.order_number) or '?'} is {status}"
        if milestone is Milestone.on_hold:
            until = order.hold_until_date
            description += f" until {until}" if until else ""
            exception = ExceptionInfo(
                reason="unknown", responsible=Responsible.retailer, description=description
            )
        result = NormalizeResult()
        self._emit(
            result,
            milestone,
            when,
            f"{where}.{field}",
            ids,
            links,
            status,
            description,
            flags=() if name else (UNKNOWN_STATUS,),
            exception=exception,
        )
        return result

    def shipment(self, data: Any, where: str) -> NormalizeResult:
        shipment, error = validate(Shipment, data, f"ShipStation shipment ({where})")
        if shipment is None:
            return NormalizeResult.problem(error or "unreadable ShipStation shipment")
        ids, links, parent = self._ids(shipment.order_number, shipment.order_id)
        shipment_id = clean_id(shipment.shipment_id)
        if shipment_id:
            ident = Identifier(type=IdType.shipment, value=shipment_id, issuer=self.ctx.partner_id)
            if parent is not None:
                links.append(IdentifierLink(child=ident, parent=parent))
            ids.append(ident)
            parent = ident
        number = clean_id(shipment.tracking_number)
        if number:
            tracking = Identifier(
                type=IdType.tracking_number,
                value=number,
                issuer=carrier_code(shipment.carrier_code),
            )
            if parent is not None:
                links.append(IdentifierLink(child=tracking, parent=parent))
            ids.append(tracking)
        service = shipment.service_code or shipment.carrier_code or "unknown service"
        result = NormalizeResult()
        if shipment.voided:
            self._emit(
                result,
                Milestone.exception,
                shipment.void_date or shipment.create_date,
                f"{where}.voidDate",
                ids,
                links,
                "voided",
                f"Label {number or shipment_id} voided",
                exception=ExceptionInfo(
                    reason="retailer_cancelled",
                    responsible=Responsible.retailer,
                    description="shipping label voided",
                ),
                discriminator=shipment_id,
            )
            return result
        milestone = (
            Milestone.returned_to_sender if shipment.is_return_label else Milestone.handed_off
        )
        self._emit(
            result,
            milestone,
            shipment.create_date,
            f"{where}.createDate",
            ids,
            links,
            "return_label" if shipment.is_return_label else "shipped",
            f"{'Return label' if shipment.is_return_label else 'Shipment'} {shipment_id or '?'}"
            f" with {service}, tracking {number or 'none'}",
            discriminator=shipment_id,
        )
        return result

    # --- v2 tracking ---------------------------------------------------------------------

    def tracking(self, data: Any, where: str) -> NormalizeResult:
        info, error = validate(TrackingInformation, data, f"ShipStation tracking ({where})")
        if info is None:
            return NormalizeResult.problem(error or "unreadable ShipStation tracking")
        number = clean_id(info.tracking_number)
        if not number:
            return NormalizeResult.problem(f"ShipStation tracking ({where}) has no tracking_number")
        carrier = carrier_code(info.carrier_code)
        result = NormalizeResult()
        for index, event in enumerate(info.events):
            detail = event.status_detail_code or ""
            try:
                occurred_at, flags = parse_time(event.occurred_at, f"events[{index}].occurred_at")
            except ValueError as exc:
                result.problems.append(str(exc))
                continue
            status = TrackingStatus.find(detail, event.status_code)
            if detail and not TrackingStatus.find(detail):  # kept coarse, but say so
                flags = (*flags, UNKNOWN_STATUS)
            scan = Scan(
                tracking_number=number,
                occurred_at=occurred_at,
                status=status,
                raw_status="/".join(p for p in (event.status_code, detail) if p),
                description=event.description or detail or event.status_code,
                location=place(
                    event.city_locality, event.state_province, event.postal_code, event.country_code
                ),
                incident=TrackingIncidentReason.find(detail),
                flags=flags,
            )
            result.events.append(scan_event(scan, self.ctx, self.raw, self.ingested_at, carrier))
        if not result.events and not result.problems:
            result.problems.append(f"ShipStation tracking {number} has no events yet")
        return result


ADAPTER = ShipStationAdapter()
