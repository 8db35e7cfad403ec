"""EasyPost trackers (tracker webhook events and API answers; multi-carrier tracking)."""

from schemas.adapters.easypost.mapper import ADAPTER
from schemas.adapters.easypost.render import RENDERER

__all__ = ["ADAPTER", "RENDERER"]
