"""ShipBob 3PL webhooks (order.shipped, shipment delivered/exception/on hold/cancelled,
tracking) and polled orders, shipments, tracking histories and timelines."""

from schemas.adapters.shipbob.mapper import ADAPTER
from schemas.adapters.shipbob.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
