"""DHL Unified Tracking ``statusCode`` -> karrio statuses (karrio's table, extended).

DHL's unified API has five status codes; karrio knows three of them and files ``unknown``
under delivery_delayed, which Seamscope does not follow (see ``KARRIO_DEVIATIONS``).
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    pending = ["pre-transit"]
    delivered = ["delivered"]
    in_transit = ["transit"]
    delivery_failed = ["failure"]
    unknown = ["unknown"]


class TrackingIncidentReason(CodeTable):
    """The unified API has no incident codes; DHL's remark words point at a few."""

    customs_delay = ["customs"]
    consignee_not_home = ["not at home", "recipient not"]
    consignee_incorrect_address = ["address"]


#: Words in a ``transit`` event's status or description that name a finer step (DHL's
#: unified codes fold pickup and the last mile into ``transit``).
TRANSIT_WORDS: tuple[tuple[str, str], ...] = (
    ("picked up", "picked_up"),
    ("pickup", "picked_up"),
    ("out for delivery", "out_for_delivery"),
    ("with delivery courier", "out_for_delivery"),
)

KARRIO_DEVIATIONS: dict[str, str] = {
    "unknown": "unknown: DHL says it does not know the status (karrio: delivery_delayed)",
}
