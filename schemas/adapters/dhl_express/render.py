"""What DHL Express XML-PI would answer for a simulated AWB, one new checkpoint per step.

Checkpoints carry the service area's wall clock without an offset; the simulated network
scans on UTC clocks so the round trip is exact (flagged ``timezone_assumed_utc``, as real
checkpoints are).
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: Milestone -> (EventCode, Description, service area code, service area).
SCANS: dict[Milestone, tuple[str, str, str, str]] = {
    Milestone.picked_up: ("PU", "Shipment picked up", "LEJ", "LEIPZIG - GERMANY"),
    Milestone.in_transit: (
        "DF", "Departed Facility in LEIPZIG - GERMANY", "LEJ", "LEIPZIG - GERMANY",
    ),
    Milestone.out_for_delivery: ("WC", "With delivery courier", "SEA", "SEATTLE, WA - USA"),
    Milestone.delivered: ("OK", "Delivered - Signed for by", "SEA", "SEATTLE, WA - USA"),
    Milestone.delivery_failed: (
        "NH", "Delivery attempted; recipient not home", "SEA", "SEATTLE, WA - USA",
    ),
}  # fmt: skip


class DhlExpressRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        code, description, area_code, area = SCANS[milestone]
        utc = at.astimezone(UTC)
        xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<req:TrackingResponse xmlns:req="http://www.dhl.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Response>
    <ServiceHeader>
      <MessageTime>{utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")}</MessageTime>
      <MessageReference>{escape(order.order_number).rjust(28, "0")}</MessageReference>
      <SiteID>SeamscopeSim</SiteID>
    </ServiceHeader>
  </Response>
  <AWBInfo>
    <AWBNumber>{escape(order.tracking_number)}</AWBNumber>
    <Status><ActionStatus>success</ActionStatus></Status>
    <ShipmentInfo>
      <ShipperReference><ReferenceID>{escape(order.order_number)}</ReferenceID></ShipperReference>
      <ShipmentEvent>
        <Date>{utc.strftime("%Y-%m-%d")}</Date>
        <Time>{utc.strftime("%H:%M:%S")}</Time>
        <ServiceEvent>
          <EventCode>{code}</EventCode>
          <Description>{escape(description)}</Description>
        </ServiceEvent>
        <Signatory/>
        <ServiceArea>
          <ServiceAreaCode>{area_code}</ServiceAreaCode>
          <Description>{escape(area)}</Description>
        </ServiceArea>
      </ShipmentEvent>
    </ShipmentInfo>
  </AWBInfo>
  <LanguageCode>en</LanguageCode>
</req:TrackingResponse>
"""
        return [SimPayload(value=xml.encode(), headers={"content-type": "application/xml"})]


RENDERER = DhlExpressRenderer()
