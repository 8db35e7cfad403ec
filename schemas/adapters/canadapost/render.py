"""What Canada Post's tracking details would answer for a simulated parcel (XML)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: Milestone -> (event-identifier, description, site, province, zone, UTC offset hours).
SCANS: dict[Milestone, tuple[str, str, str, str, str, int]] = {
    Milestone.picked_up: ("0100", "Item picked up by Canada Post", "MISSISSAUGA", "ON", "EST", -5),
    Milestone.in_transit: (
        "4500", "Item in transit to the delivery office", "WINNIPEG", "MB", "CST", -6,
    ),
    Milestone.out_for_delivery: ("0174", "Item out for delivery", "VANCOUVER", "BC", "PST", -8),
    Milestone.delivered: ("1496", "Item successfully delivered", "VANCOUVER", "BC", "PST", -8),
    Milestone.delivery_failed: (
        "0167", "Attempted delivery; customer not home. Notice card left", "VANCOUVER", "BC",
        "PST", -8,
    ),
}  # fmt: skip


class CanadaPostRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, description, site, province, zone, hours = SCANS[milestone]
        local = at.astimezone(timezone(timedelta(hours=hours)))
        xml = f"""<tracking-detail xmlns="http://www.canadapost.ca/ws/track-v2">
  <pin>{escape(order.tracking_number)}</pin>
  <active-exists>1</active-exists>
  <archive-exists/>
  <service-name>Expedited Parcels</service-name>
  <customer-ref-1>{escape(order.order_number)}</customer-ref-1>
  <significant-events>
    <occurrence>
      <event-identifier>{code}</event-identifier>
      <event-date>{local.strftime("%Y-%m-%d")}</event-date>
      <event-time>{local.strftime("%H:%M:%S")}</event-time>
      <event-time-zone>{zone}</event-time-zone>
      <event-description>{escape(description)}</event-description>
      <signatory-name/>
      <event-site>{site}</event-site>
      <event-province>{province}</event-province>
    </occurrence>
  </significant-events>
</tracking-detail>
"""
        headers = {"content-type": "application/vnd.cpc.track-v2+xml"}
        return [SimPayload(value=xml.encode(), headers=headers)]


RENDERER = CanadaPostRenderer()
