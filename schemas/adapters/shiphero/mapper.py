"""ShipHero Shipment Update webhooks -> canonical journey events.

``partner_order_id`` is the order's id in the sales channel ShipHero imported it from, and
``order_number`` the channel's order name: both are the retailer's order number
(``order``, written without Shopify's leading ``#``), which joins the 3PL's report back to
the marketplace's. ShipHero's own order and shipment ids (``fulfillment_order``,
``shipment``) and every package's tracking number are linked below it.

``created_at`` has no offset and ShipHero documents none: it is read as UTC and flagged.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage, build_event
from schemas.adapters.common import carrier_code, clean_id, load_json, parse_time, validate
from schemas.adapters.shiphero.codes import NOT_ABOUT_ORDERS, TEST_PAYLOAD, WEBHOOK_TYPES
from schemas.adapters.shiphero.models import ShipmentUpdate
from schemas.canonical import Identifier, IdentifierLink, IdType

FORMAT = "shiphero"


def order_number(value: object) -> str:
    """``#1001`` -> ``1001``: the channel's order name as the retailer's order number."""
    return clean_id(clean_id(value).lstrip("#"))


class ShipHeroAdapter:
    """ShipHero webhooks (Shipment Update)."""

    format = FORMAT

    def normalize(
        self, raw: RawMessage, ctx: PartnerContext, ingested_at: datetime
    ) -> NormalizeResult:
        payload, error = load_json(raw)
        if error is not None:
            return NormalizeResult.problem(error)
        if not isinstance(payload, dict):
            return NormalizeResult.problem(
                f"ShipHero webhook must be a JSON object, got {type(payload).__name__}"
            )
        inner = payload.get("fulfillment")
        kind = payload.get("webhook_type") or (
            inner.get("webhook_type") if isinstance(inner, dict) else None
        )
        kind = str(kind or "").strip()
        if kind.lower() in NOT_ABOUT_ORDERS:
            return NormalizeResult.problem(
                f"ShipHero {kind} webhook is about stock, not an outbound order"
            )
        if kind.lower() not in WEBHOOK_TYPES and not (not kind and isinstance(inner, dict)):
            return NormalizeResult.problem(
                f"ShipHero webhook type {kind or '(none)'!r} is not supported"
                " (supported: Shipment Update)"
            )
        update, problem = validate(ShipmentUpdate, payload, "ShipHero Shipment Update")
        if update is None:
            return NormalizeResult.problem(problem or "unreadable ShipHero webhook")
        try:
            return self._map(update, ctx, raw, ingested_at)
        except (ValidationError, ValueError, OverflowError) as exc:
            return NormalizeResult.problem(f"ShipHero Shipment Update could not be mapped: {exc}")

    @staticmethod
    def _map(
        update: ShipmentUpdate, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime
    ) -> NormalizeResult:
        f = update.fulfillment
        numbers = [n for n in (order_number(f.partner_order_id), order_number(f.order_number)) if n]
        if not numbers:
            return NormalizeResult.problem(
                "ShipHero Shipment Update has no partner_order_id or order_number, so it cannot"
                " be joined to the channel's order"
            )
        orders = [Identifier(type=IdType.order, value=n) for n in dict.fromkeys(numbers)]
        ids, links = list(orders), []
        parent = orders[0]
        for extra in orders[1:]:
            links.append(IdentifierLink(child=extra, parent=parent))
        if clean_id(f.order_uuid):
            own = Identifier(
                type=IdType.fulfillment_order, value=clean_id(f.order_uuid), issuer=ctx.partner_id
            )
            ids.append(own)
            links.append(IdentifierLink(child=own, parent=parent))
            parent = own
        shipment_id = clean_id(f.shipment_id)
        if shipment_id:
            shipment = Identifier(type=IdType.shipment, value=shipment_id, issuer=ctx.partner_id)
            ids.append(shipment)
            links.append(IdentifierLink(child=shipment, parent=parent))
            parent = shipment
        tracking_numbers: dict[str, str] = {}
        for package in f.packages:
            number = clean_id(package.tracking_number)
            if number:
                tracking_numbers.setdefault(number, package.shipping_carrier or "")
        legacy = clean_id(f.tracking_number)
        if legacy:
            tracking_numbers.setdefault(legacy, f.shipping_carrier or "")
        for number, carrier in tracking_numbers.items():
            tracking = Identifier(
                type=IdType.tracking_number,
                value=number,
                issuer=carrier_code(carrier or f.shipping_carrier),
            )
            ids.append(tracking)
            links.append(IdentifierLink(child=tracking, parent=parent))
        occurred_at, flags = parse_time(f.created_at, "fulfillment.created_at")
        if str(update.test).strip().lower() in ("1", "true"):
            flags = (*flags, TEST_PAYLOAD)
        packages = f.total_packages or len(f.packages) or 1
        part = "" if f.completed is not False else " (partial: order not complete)"
        carrier = f.shipping_method or f.shipping_carrier or "no carrier"
        if f.shipping_carrier and not carrier.lower().startswith(f.shipping_carrier.lower()):
            carrier = f"{f.shipping_carrier} {carrier}"
        where = f" from {f.warehouse}" if f.warehouse else ""
        tracking_text = ", ".join(tracking_numbers) or "no tracking number"
        return NormalizeResult(
            events=[
                build_event(
                    ctx=ctx,
                    raw=raw,
                    ingested_at=ingested_at,
                    milestone=WEBHOOK_TYPES["shipment update"],
                    occurred_at=occurred_at,
                    identifiers=ids,
                    links=links,
                    raw_status="Shipment Update",
                    description=f"Shipment {shipment_id or '?'}{where}: {packages} package(s),"
                    f" {carrier}, {tracking_text}{part}",
                    location=f.warehouse or "",
                    discriminator=shipment_id,
                    extra_flags=flags,
                )
            ]
        )


ADAPTER = ShipHeroAdapter()
