"""Amazon SP-API notifications (and polled API responses) -> canonical journey events.

Amazon's chain order -> shipment -> package -> tracking number becomes identifiers and
links: the Amazon order id (``marketplace_order``), the seller's fulfillment order id
(``order`` when it is the seller's own number, as Multi-Channel Fulfillment recommends),
the Amazon shipment id (``shipment``), ``<shipment>/<package number>`` (``package``) and
the carrier's tracking number, each linked to its parent.

Supported notifications: ORDER_CHANGE, ORDER_STATUS_CHANGE, MFN_ORDER_STATUS_CHANGE,
FULFILLMENT_ORDER_STATUS, FBA_OUTBOUND_SHIPMENT_STATUS and
SHIPMENT_TRACKING_MILESTONE_CHANGED. A gateway may also forward what it polled: Orders
API v0 and 2026-01-01 orders, Fulfillment Outbound orders and package tracking, Tracking
API 2026-01-30 details and Amazon Shipping tracking. Listing, price and inventory
notifications carry no order and are dead-lettered with that reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from schemas.adapters.amazon_sp_api.codes import (
    AMAZON_ORDER_ID,
    CANCELLATIONS,
    EXCEPTIONAL,
    NOT_ABOUT_ORDERS,
    SUPPORTED_NOTIFICATIONS,
    FulfillmentOrderStatusCode,
    FulfillmentShipmentStatus,
    NotificationType,
    OrderStatus,
    PackageTrackingEventCode,
    PackageTrackingIncident,
    TrackingMilestoneCode,
    TrackingMilestoneIncident,
)
from schemas.adapters.amazon_sp_api.models import (
    ApiError,
    FbaOutboundShipmentStatus,
    FulfillmentOrderStatus,
    FulfillmentOrderV2020,
    FulfillmentShipment,
    Notification,
    Order2026,
    OrderChange,
    OrderStatusChange,
    OrderV0,
    PackageTrackingDetails,
    TrackingDetail,
    TrackingMilestone,
)
from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.carrier import CodeTable, place, responsible_for
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
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    Milestone,
    Responsible,
)

FORMAT = "amazon_sp_api"
#: Issuer of AFTNs (Amazon's own tracking numbers, shown on swiship.com).
AMAZON_LOGISTICS = "amazon"


class AmazonSpApiAdapter:
    """Amazon Selling Partner API notifications and polled responses."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json_object(raw, "Amazon SP-API")
        if payload is None:
            return NormalizeResult.problem(error or "no payload")
        mapper = _Mapper(ctx, raw, ingested_at)
        try:
            return mapper.document(payload)
        except (ValidationError, ValueError, OverflowError) as exc:
            return NormalizeResult.problem(f"Amazon SP-API payload could not be mapped: {exc}")


class _Mapper:
    def __init__(self, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime) -> None:
        self.ctx = ctx
        self.raw = raw
        self.ingested_at = ingested_at
        self.reported_at: datetime | None = None

    # --- dispatch ------------------------------------------------------------------------

    def document(self, payload: dict[str, Any]) -> NormalizeResult:
        if "NotificationType" in payload or "notificationType" in payload:
            return self.notification(payload)
        if isinstance(payload.get("errors"), list) and payload["errors"]:
            return self.errors(payload["errors"])
        body = payload.get("payload")
        if isinstance(body, dict):  # Orders v0 and Fulfillment Outbound wrap in "payload"
            payload = body
        if "AmazonOrderId" in payload:
            if "OrderStatus" not in payload and (
                "OrderItems" in payload or "ShippingAddress" in payload
            ):
                return NormalizeResult.problem(
                    "Orders API v0 answer lists an order's items or address, not its status:"
                    " nothing happened to report"
                )
            return self.order_v0(payload)
        if isinstance(payload.get("Orders"), list):
            return self.each(payload["Orders"], "Orders", self.order_v0)
        if "order" in payload:
            return self.order_2026(payload["order"], "order")
        if isinstance(payload.get("orders"), list):
            return self.each(payload["orders"], "orders", self.order_2026)
        if "fulfillmentOrder" in payload:
            return self.fulfillment_order(payload)
        if isinstance(payload.get("fulfillmentOrders"), list):
            return self.each(
                payload["fulfillmentOrders"],
                "fulfillmentOrders",
                lambda item, where: self.fulfillment_order({"fulfillmentOrder": item}, where),
            )
        if "packageNumber" in payload:
            return self.package_tracking(payload)
        if "trackingDetail" in payload:
            return self.tracking(payload["trackingDetail"], "trackingDetail")
        if "trackingId" in payload and "eventHistory" in payload:
            return self.amazon_shipping(payload)
        keys = ", ".join(sorted(map(str, payload))[:8]) or "none"
        return NormalizeResult.problem(
            "Amazon SP-API payload is neither a notification (NotificationType) nor a supported"
            f" API response (top-level keys: {keys})"
        )

    def each(self, items: list[Any], where: str, mapper: Any) -> NormalizeResult:
        result = NormalizeResult()
        for index, item in enumerate(items):
            result.extend(mapper(item, f"{where}[{index}]"))
        if not result.events and not result.problems:
            result.problems.append(f"Amazon SP-API response has no entries in {where}")
        return result

    def errors(self, items: list[Any]) -> NormalizeResult:
        problems = []
        for item in items:
            error, _ = validate(ApiError, item)
            if error is not None:
                text = " ".join(p for p in (error.message, error.details) if p)
                problems.append(f"Amazon error {error.code or 'unknown'}: {text or 'no message'}")
        return NormalizeResult(problems=problems or ["Amazon error response without details"])

    def notification(self, payload: dict[str, Any]) -> NormalizeResult:
        envelope, error = validate(Notification, payload, "Amazon notification")
        if envelope is None:
            return NormalizeResult.problem(error or "Amazon notification is unreadable")
        kind = envelope.notification_type.strip().upper()
        try:  # when the notification was sent; a bad one only matters where it is the time
            self.reported_at = parse_time(envelope.event_time, "EventTime")[0]
        except ValueError:
            self.reported_at = None
        body = envelope.payload
        if kind in NOT_ABOUT_ORDERS:
            return NormalizeResult.problem(
                f"Amazon {kind} notification is about listings, prices or inventory, not an"
                " order: no journey to follow"
            )
        if kind not in SUPPORTED_NOTIFICATIONS:
            known = ", ".join(SUPPORTED_NOTIFICATIONS)
            return NormalizeResult.problem(
                f"Amazon notification type {kind!r} is not supported (supported: {known})"
            )
        inner_key = {
            NotificationType.order_change: "OrderChangeNotification",
            NotificationType.order_status_change: "OrderStatusChangeNotification",
            NotificationType.mfn_order_status_change: "MFNOrderStatusChangeNotification",
            NotificationType.fulfillment_order_status: "FulfillmentOrderStatusNotification",
            NotificationType.fba_outbound_shipment_status: "FBAOutboundShipmentStatusNotification",
            NotificationType.tracking_milestone_changed: (
                "shipmentTrackingMilestoneChangedNotification"
            ),
        }[kind]
        inner = _key(body, inner_key)
        if not isinstance(inner, dict):
            return NormalizeResult.problem(
                f"Amazon {kind} notification has no Payload.{inner_key} object"
            )
        if kind == NotificationType.order_change:
            return self.order_change(inner, envelope.event_time)
        if kind in (NotificationType.order_status_change, NotificationType.mfn_order_status_change):
            return self.order_status_change(inner, envelope.event_time, kind)
        if kind == NotificationType.fulfillment_order_status:
            return self.fulfillment_order_status(inner, envelope.event_time)
        if kind == NotificationType.fba_outbound_shipment_status:
            return self.fba_outbound(inner, envelope.event_time)
        detail = _key(inner, "trackingDetail")
        return self.tracking(detail, f"Payload.{inner_key}.trackingDetail")

    # --- shared pieces -------------------------------------------------------------------

    def _amazon_order(self, value: str) -> Identifier:
        return Identifier(type=IdType.marketplace_order, value=value, issuer=self.ctx.partner_id)

    def _seller_order(self, value: str) -> Identifier:
        """A seller-given order id is the retailer's order number, unless it is Amazon's."""
        if AMAZON_ORDER_ID.match(value):
            return self._amazon_order(value)
        return Identifier(type=IdType.order, value=value)

    def _own(self, kind: IdType, value: str) -> Identifier:
        return Identifier(type=kind, value=value, issuer=self.ctx.partner_id)

    def _status(self, table: type[CodeTable], code: str) -> tuple[Milestone, tuple[str, ...]]:
        name = table.find(code)
        if not name:
            return Milestone.unknown, (UNKNOWN_STATUS,)
        return Milestone(name), ()

    def _exception(
        self, milestone: Milestone, code: str, description: str, incident: str = ""
    ) -> ExceptionInfo | None:
        if milestone not in EXCEPTIONAL:
            return None
        reason, responsible = CANCELLATIONS.get(code.upper(), (incident or "unknown", None))
        if responsible is None:
            responsible = responsible_for(reason) if reason != "unknown" else EXCEPTIONAL[milestone]
        return ExceptionInfo(reason=reason, responsible=responsible, description=description)

    def _emit(
        self,
        result: NormalizeResult,
        *,
        milestone: Milestone,
        when: object,
        what: str,
        identifiers: list[Identifier],
        links: list[IdentifierLink] | None = None,
        raw_status: str,
        description: str,
        flags: tuple[str, ...] = (),
        exception: ExceptionInfo | None = None,
        location: str = "",
        discriminator: str = "",
        promised_by: datetime | None = None,
    ) -> None:
        add_event(
            result, when=when, what=what, extra_flags=flags, ctx=self.ctx, raw=self.raw,
            ingested_at=self.ingested_at, milestone=milestone, identifiers=identifiers,
            links=links or (), raw_status=raw_status, description=description,
            reported_at=self.reported_at, exception=exception, location=location,
            discriminator=discriminator, promised_by=promised_by,
        )  # fmt: skip

    # --- order notifications -------------------------------------------------------------

    def order_change(self, inner: dict[str, Any], event_time: str | None) -> NormalizeResult:
        change, error = validate(OrderChange, inner, "OrderChangeNotification")
        if change is None:
            return NormalizeResult.problem(error or "unreadable OrderChangeNotification")
        order_id = clean_id(change.amazon_order_id)
        if not order_id:
            return NormalizeResult.problem("OrderChangeNotification has no AmazonOrderId")
        summary = change.summary
        status = summary.order_status if summary else ""
        trigger = change.trigger
        when: object = (trigger.time_of_order_change if trigger else None) or event_time
        reason = trigger.change_reason if trigger else ""
        buyer_cancel = bool(
            summary and any(i.is_buyer_requested_cancel for i in summary.order_items)
        )
        result = NormalizeResult()
        flags: tuple[str, ...] = ()
        if change.order_change_type == "BuyerRequestedChange" or buyer_cancel:
            milestone = Milestone.on_hold
            exception: ExceptionInfo | None = ExceptionInfo(
                reason="consignee_cancelled" if buyer_cancel else "unknown",
                responsible=Responsible.consignee,
                description=reason or "buyer requested a change",
            )
        else:
            milestone, flags = self._status(OrderStatus, status)
            if milestone is Milestone.order_placed and summary and summary.purchase_date:
                when = summary.purchase_date
            exception = self._exception(milestone, status, reason or status)
        self._emit(
            result,
            milestone=milestone,
            when=when,
            what="OrderChangeTrigger.TimeOfOrderChange",
            identifiers=[self._amazon_order(order_id)],
            raw_status="/".join(p for p in (change.order_change_type, status) if p),
            description=f"Amazon order {order_id} {status or 'changed'}"
            + (f": {reason}" if reason else ""),
            flags=flags,
            exception=exception,
        )
        return result

    def order_status_change(
        self, inner: dict[str, Any], event_time: str | None, kind: str
    ) -> NormalizeResult:
        change, error = validate(OrderStatusChange, inner, kind)
        if change is None:
            return NormalizeResult.problem(error or f"unreadable {kind} notification")
        order_id = clean_id(change.amazon_order_id)
        if not order_id:
            return NormalizeResult.problem(f"{kind} notification has no AmazonOrderId")
        milestone, flags = self._status(OrderStatus, change.order_status)
        when: object = event_time
        if milestone is Milestone.order_placed and change.purchase_date is not None:
            when = change.purchase_date
        result = NormalizeResult()
        self._emit(
            result,
            milestone=milestone,
            when=when,
            what="EventTime",
            identifiers=[self._amazon_order(order_id)],
            raw_status=change.order_status,
            description=f"Amazon order {order_id} is {change.order_status}",
            flags=flags,
            exception=self._exception(milestone, change.order_status, change.order_status),
            discriminator=change.order_item_id or "",
        )
        return result

    # --- fulfillment ---------------------------------------------------------------------

    def fulfillment_order_status(
        self, inner: dict[str, Any], event_time: str | None
    ) -> NormalizeResult:
        status, error = validate(
            FulfillmentOrderStatus, inner, "FulfillmentOrderStatusNotification"
        )
        if status is None:
            return NormalizeResult.problem(error or "unreadable FulfillmentOrderStatusNotification")
        seller_id = clean_id(status.seller_fulfillment_order_id)
        if not seller_id:
            return NormalizeResult.problem(
                "FulfillmentOrderStatusNotification has no SellerFulfillmentOrderId"
            )
        order = self._seller_order(seller_id)
        fulfillment_order = self._own(IdType.fulfillment_order, seller_id)
        ids = [order, fulfillment_order]
        links = [IdentifierLink(child=fulfillment_order, parent=order)]
        when = status.status_updated or event_time
        kind = status.event_type.strip().lower()
        if kind not in ("order", "shipment", "return"):  # undocumented type: go by content
            kind = "shipment" if status.shipment else "return" if status.return_item else "order"
        result = NormalizeResult()
        if kind == "return" and status.return_item is not None:
            item = status.return_item
            self._emit(
                result,
                milestone=Milestone.return_received,
                when=item.received_date_time or when,
                what="FulfillmentReturnItem.ReceivedDateTime",
                identifiers=ids,
                links=links,
                raw_status="Return",
                description=f"Return of {item.returned_quantity or '?'} x {item.seller_sku}"
                " received",
            )
            return result
        if kind == "shipment" and status.shipment is not None:
            self._shipment(result, status.shipment, ids, links, when, fulfillment_order)
            return result
        code = status.fulfillment_order_status
        milestone, flags = self._status(FulfillmentOrderStatusCode, code)
        self._emit(
            result,
            milestone=milestone,
            when=when,
            what="StatusUpdatedDateTime",
            identifiers=ids,
            links=links,
            raw_status=f"Order/{code}",
            description=f"Fulfillment order {seller_id} is {code or 'updated'}",
            flags=flags,
            exception=self._exception(milestone, code, f"fulfillment order {code}"),
        )
        return result

    def _shipment(
        self,
        result: NormalizeResult,
        shipment: FulfillmentShipment,
        ids: list[Identifier],
        links: list[IdentifierLink],
        when: object,
        parent: Identifier,
    ) -> None:
        """A fulfillment shipment with its packages and their tracking numbers."""
        ids, links = list(ids), list(links)
        shipment_id = clean_id(shipment.amazon_shipment_id)
        shipment_ident = self._own(IdType.shipment, shipment_id) if shipment_id else None
        if shipment_ident is not None:
            ids.append(shipment_ident)
            links.append(IdentifierLink(child=shipment_ident, parent=parent))
        numbers = []
        for package in shipment.packages:
            number = clean_id(package.package_number)
            tracking = clean_id(package.tracking_number)
            holder = shipment_ident or parent
            package_ident = None
            if number and shipment_id:
                package_ident = self._own(IdType.package, f"{shipment_id}/{number}")
                ids.append(package_ident)
                links.append(IdentifierLink(child=package_ident, parent=holder))
            if tracking:
                tracking_ident = Identifier(
                    type=IdType.tracking_number,
                    value=tracking,
                    issuer=carrier_code(package.carrier_code),
                )
                ids.append(tracking_ident)
                links.append(IdentifierLink(child=tracking_ident, parent=package_ident or holder))
                numbers.append(tracking)
        code = shipment.status
        milestone, flags = self._status(FulfillmentShipmentStatus, code)
        tracking_text = f", tracking {', '.join(dict.fromkeys(numbers))}" if numbers else ""
        self._emit(
            result,
            milestone=milestone,
            when=shipment.shipping_date
            if milestone is Milestone.handed_off and shipment.shipping_date
            else when,
            what="StatusUpdatedDateTime",
            identifiers=ids,
            links=links,
            raw_status=f"Shipment/{code}",
            description=f"Shipment {shipment_id or '?'} {code or 'updated'}{tracking_text}",
            flags=flags,
            exception=self._exception(milestone, code, f"shipment {code}"),
            discriminator=shipment_id,
        )

    def fba_outbound(self, inner: dict[str, Any], event_time: str | None) -> NormalizeResult:
        status, error = validate(
            FbaOutboundShipmentStatus, inner, "FBAOutboundShipmentStatusNotification"
        )
        if status is None:
            return NormalizeResult.problem(error or "unreadable FBAOutboundShipmentStatus")
        order_id, shipment_id = (
            clean_id(status.amazon_order_id),
            clean_id(status.amazon_shipment_id),
        )
        if not order_id or not shipment_id:
            return NormalizeResult.problem(
                "FBAOutboundShipmentStatusNotification needs AmazonOrderId and AmazonShipmentId"
            )
        order = self._amazon_order(order_id)
        shipment = self._own(IdType.shipment, shipment_id)
        milestone, flags = self._status(FulfillmentShipmentStatus, status.shipment_status)
        result = NormalizeResult()
        self._emit(
            result,
            milestone=milestone,
            when=event_time,
            what="EventTime",
            identifiers=[order, shipment],
            links=[IdentifierLink(child=shipment, parent=order)],
            raw_status=status.shipment_status,
            description=f"FBA shipment {shipment_id} {status.shipment_status}",
            flags=flags,
            exception=self._exception(milestone, status.shipment_status, "FBA shipment cancelled"),
        )
        return result

    # --- tracking ------------------------------------------------------------------------

    def tracking(self, data: Any, where: str) -> NormalizeResult:
        detail, error = validate(TrackingDetail, data, where)
        if detail is None:
            return NormalizeResult.problem(error or f"unreadable {where}")
        ident = detail.identifier
        carrier = ident.carrier_tracking
        if carrier is not None and clean_id(carrier.tracking_number):
            subject = Identifier(
                type=IdType.tracking_number,
                value=clean_id(carrier.tracking_number),
                issuer=carrier_code(carrier.carrier_code),
            )
        elif clean_id(ident.aftn):
            subject = Identifier(
                type=IdType.tracking_number, value=clean_id(ident.aftn), issuer=AMAZON_LOGISTICS
            )
        elif clean_id(ident.id):
            subject = self._own(IdType.shipment, clean_id(ident.id))
        else:
            return NormalizeResult.problem(
                f"{where}: identifier has no aftn, carrierTracking.trackingNumber or id"
            )
        history = detail.milestone_history or (
            [detail.latest_milestone] if detail.latest_milestone else []
        )
        result = NormalizeResult()
        for index, milestone in enumerate(history):
            self._tracking_milestone(
                result, milestone, subject, f"{where}.milestoneHistory[{index}]"
            )
        if not result.events and not result.problems:
            result.problems.append(f"{where}: no tracking milestones")
        return result

    def _tracking_milestone(
        self, result: NormalizeResult, item: TrackingMilestone, tracking: Identifier, where: str
    ) -> None:
        status = item.status
        milestone, flags = self._status(TrackingMilestoneCode, status.code)
        address = item.location.address if item.location else None
        location = (
            place(address.city, address.region, address.postal_code, address.country_code)
            if address
            else ""
        )
        description = status.description or status.code
        self._emit(
            result,
            milestone=milestone,
            when=item.occurred_at,
            what=f"{where}.occurredAt",
            identifiers=[tracking],
            raw_status="/".join(p for p in (status.code, status.sub_code) if p),
            description=description,
            flags=flags,
            exception=self._exception(
                milestone, status.code, description, TrackingMilestoneIncident.find(status.code)
            ),
            location=location,
            discriminator=location,
        )

    def package_tracking(self, payload: dict[str, Any]) -> NormalizeResult:
        details, error = validate(PackageTrackingDetails, payload, "PackageTrackingDetails")
        if details is None:
            return NormalizeResult.problem(error or "unreadable PackageTrackingDetails")
        number = clean_id(details.tracking_number)
        if not number:
            return NormalizeResult.problem(
                f"PackageTrackingDetails for package {details.package_number} has no trackingNumber"
            )
        tracking = Identifier(
            type=IdType.tracking_number, value=number, issuer=carrier_code(details.carrier_code)
        )
        result = NormalizeResult()
        for index, event in enumerate(details.tracking_events):
            milestone, flags = self._status(PackageTrackingEventCode, event.event_code)
            address = event.event_address
            location = place(address.city, address.state, address.country) if address else ""
            self._emit(
                result,
                milestone=milestone,
                when=event.event_date,
                what=f"trackingEvents[{index}].eventDate",
                identifiers=[tracking],
                raw_status=event.event_code,
                description=event.event_description or event.event_code,
                flags=flags,
                exception=self._exception(
                    milestone,
                    event.event_code,
                    event.event_description,
                    PackageTrackingIncident.find(event.event_code),
                ),
                location=location,
                discriminator=location,
            )
        if not result.events and not result.problems:
            result.problems.append(f"package {number} has no tracking events yet")
        return result

    def amazon_shipping(self, payload: dict[str, Any]) -> NormalizeResult:
        """Amazon Shipping's tracking answer, read by the ``amazon_shipping`` carrier format."""
        from schemas.adapters.amazon_shipping.mapper import ADAPTER as AMAZON_SHIPPING

        return AMAZON_SHIPPING.map_document(payload, self.ctx, self.raw, self.ingested_at)

    # --- polled API responses ------------------------------------------------------------

    def order_v0(self, data: Any, where: str = "payload") -> NormalizeResult:
        order, error = validate(OrderV0, data, f"Order ({where})")
        if order is None:
            return NormalizeResult.problem(error or f"unreadable order at {where}")
        order_id = clean_id(order.amazon_order_id)
        if not order_id:
            return NormalizeResult.problem(f"{where}: order has no AmazonOrderId")
        ids = [self._amazon_order(order_id)]
        links = []
        seller = clean_id(order.seller_order_id)
        if seller and seller != order_id:
            ids.insert(0, self._seller_order(seller))
            links.append(IdentifierLink(child=ids[1], parent=ids[0]))
        milestone, flags = self._status(OrderStatus, order.order_status)
        when = order.purchase_date
        if milestone is not Milestone.order_placed:
            when = order.last_update_date or order.purchase_date
        result = NormalizeResult()
        promised = promised_time(result, order.latest_delivery_date, f"{where}.LatestDeliveryDate")
        self._emit(
            result,
            promised_by=promised,
            milestone=milestone,
            when=when,
            what=f"{where}.LastUpdateDate",
            identifiers=ids,
            links=links,
            raw_status=order.order_status,
            description=f"Amazon order {order_id} is {order.order_status}",
            flags=flags,
            exception=self._exception(milestone, order.order_status, order.order_status),
        )
        return result

    def order_2026(self, data: Any, where: str = "order") -> NormalizeResult:
        order, error = validate(Order2026, data, f"Order ({where})")
        if order is None:
            return NormalizeResult.problem(error or f"unreadable order at {where}")
        order_id = clean_id(order.order_id)
        if not order_id:
            return NormalizeResult.problem(f"{where}: order has no orderId")
        amazon = self._amazon_order(order_id)
        ids, links = [amazon], []
        for alias in order.order_aliases:
            value = clean_id(alias.alias_id)
            if value and alias.alias_type.upper() == "SELLER_ORDER_ID" and value != order_id:
                seller = self._seller_order(value)
                ids.insert(0, seller)
                links.append(IdentifierLink(child=amazon, parent=seller))
        for ref in order.fulfillment_orders:
            value = clean_id(ref.fulfillment_order_id)
            if value:
                fulfillment_order = self._own(IdType.fulfillment_order, value)
                ids.append(fulfillment_order)
                links.append(IdentifierLink(child=fulfillment_order, parent=amazon))
        status = order.fulfillment.fulfillment_status if order.fulfillment else ""
        result = NormalizeResult()
        window = order.fulfillment.deliver_by_window if order.fulfillment else None
        promised = promised_time(
            result, window.latest if window else None, f"{where}.fulfillment.deliverByWindow"
        )
        milestone, flags = self._status(OrderStatus, status)
        when: object = order.last_updated_time or order.created_time
        if milestone in (Milestone.order_placed, Milestone.order_confirmed):
            milestone, when = Milestone.order_placed, order.created_time
        # A shipped order's packages (below) tell what happened, and when.
        shipped_with_packages = milestone is Milestone.label_created and bool(order.packages)
        if not shipped_with_packages:
            self._emit(
                result,
                milestone=milestone,
                when=when,
                what=f"{where}.lastUpdatedTime",
                identifiers=ids,
                links=links,
                raw_status=status,
                description=f"Amazon order {order_id} is {status or 'without status'}",
                flags=flags,
                exception=self._exception(milestone, status, status),
                promised_by=promised,
            )
        for index, package in enumerate(order.packages):
            self._order_package(result, package, ids[0], amazon, f"{where}.packages[{index}]")
        if not result.events and not result.problems:
            result.problems.append(f"{where}: order {order_id} has nothing to report")
        return result

    def _order_package(
        self,
        result: NormalizeResult,
        package: Any,
        order: Identifier,
        amazon: Identifier,
        where: str,
    ) -> None:
        reference = clean_id(package.package_reference_id)
        tracking = clean_id(package.tracking_number)
        ids, links = [order, amazon], []
        holder = amazon
        if reference:
            package_ident = self._own(IdType.package, reference)
            ids.append(package_ident)
            links.append(IdentifierLink(child=package_ident, parent=amazon))
            holder = package_ident
        if tracking:
            tracking_ident = Identifier(
                type=IdType.tracking_number, value=tracking, issuer=carrier_code(package.carrier)
            )
            ids.append(tracking_ident)
            links.append(IdentifierLink(child=tracking_ident, parent=holder))
        if not reference and not tracking:
            result.problems.append(
                f"{where}: package has neither packageReferenceId nor trackingNumber"
            )
            return
        status = package.package_status
        state = "/".join(p for p in (status.status, status.detailed_status) if p) if status else ""
        carrier = package.carrier or "unknown carrier"
        if package.created_time:
            self._emit(
                result,
                milestone=Milestone.label_created,
                when=package.created_time,
                what=f"{where}.createdTime",
                identifiers=ids,
                links=links,
                raw_status="package_created",
                description=f"Package {reference or tracking} created ({carrier},"
                f" now {state or 'n/a'})",
                discriminator=reference,
            )
        if package.ship_time:
            self._emit(
                result,
                milestone=Milestone.handed_off,
                when=package.ship_time,
                what=f"{where}.shipTime",
                identifiers=ids,
                links=links,
                raw_status="package_shipped",
                description=f"Package {reference or tracking} shipped with {carrier}",
                discriminator=reference,
            )

    def fulfillment_order(
        self, payload: dict[str, Any], where: str = "fulfillmentOrder"
    ) -> NormalizeResult:
        order, error = validate(FulfillmentOrderV2020, payload.get("fulfillmentOrder"), where)
        if order is None:
            return NormalizeResult.problem(error or f"unreadable {where}")
        seller_id = clean_id(order.seller_fulfillment_order_id)
        if not seller_id:
            return NormalizeResult.problem(f"{where} has no sellerFulfillmentOrderId")
        fulfillment_order = self._own(IdType.fulfillment_order, seller_id)
        seller = self._seller_order(seller_id)
        ids = [seller, fulfillment_order]
        links = [IdentifierLink(child=fulfillment_order, parent=seller)]
        displayable = clean_id(order.displayable_order_id)
        if displayable and displayable != seller_id:
            shown = self._seller_order(displayable)
            ids.append(shown)
            links.append(IdentifierLink(child=fulfillment_order, parent=shown))
        result = NormalizeResult()
        milestone, flags = self._status(FulfillmentOrderStatusCode, order.status)
        when = order.status_updated_date or order.received_date
        self._emit(
            result,
            milestone=milestone,
            when=when,
            what=f"{where}.statusUpdatedDate",
            identifiers=ids,
            links=links,
            raw_status=f"Order/{order.status}",
            description=f"Fulfillment order {seller_id} is {order.status or 'updated'}",
            flags=flags,
            exception=self._exception(milestone, order.status, f"fulfillment order {order.status}"),
        )
        shipments = payload.get("fulfillmentShipments")
        for index, item in enumerate(shipments if isinstance(shipments, list) else []):
            shipment, problem = validate(
                FulfillmentShipment, item, f"fulfillmentShipments[{index}]"
            )
            if shipment is None:
                result.problems.append(problem or f"unreadable fulfillmentShipments[{index}]")
                continue
            self._shipment(result, shipment, ids, links, when, fulfillment_order)
        return result


def _key(data: Any, name: str) -> Any:
    """``data[name]`` in either spelling (``Name`` or ``name``); None when absent."""
    if not isinstance(data, dict):
        return None
    for key in (name, name[0].lower() + name[1:], name[0].upper() + name[1:]):
        if key in data:
            return data[key]
    return None


ADAPTER = AmazonSpApiAdapter()
