"""WooCommerce order webhooks (``x-wc-webhook-topic`` order.created / order.updated / ...)."""

from schemas.adapters.woocommerce.mapper import ADAPTER
from schemas.adapters.woocommerce.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
