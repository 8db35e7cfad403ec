"""What Purolator's tracking web service would answer for a simulated parcel (SOAP XML).

Scans carry the depot's wall clock without a zone; the simulated network scans on UTC
clocks so the round trip is exact (flagged ``timezone_assumed_utc``, as real scans are).
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: Milestone -> (ScanType, Description, Comment, depot).
SCANS: dict[Milestone, tuple[str, str, str, str]] = {
    Milestone.picked_up: ("ProofOfPickUp", "Picked up by Purolator", "", "MISSISSAUGA, ON"),
    Milestone.in_transit: ("Other", "Arrived at sort facility", "", "MONTREAL SORT CTR, PQ"),
    Milestone.out_for_delivery: ("OnDelivery", "On vehicle for delivery", "", "VANCOUVER, BC"),
    Milestone.delivered: ("Delivery", "Shipment delivered to", "FRONT DOOR", "VANCOUVER, BC"),
    Milestone.delivery_failed: (
        "Undeliverable", "Attempted delivery", "No One Home", "VANCOUVER, BC",
    ),
}  # fmt: skip


class PurolatorRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        kind, description, comment, depot = SCANS[milestone]
        utc = at.astimezone(UTC)
        pin = escape(order.tracking_number)
        xml = f"""<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ResponseContext xmlns:h="http://purolator.com/pws/datatypes/v1">
      <h:ResponseReference>{escape(order.order_number)}</h:ResponseReference>
    </h:ResponseContext>
  </s:Header>
  <s:Body>
    <TrackPackagesByPinResponse xmlns="http://purolator.com/pws/datatypes/v1"
        xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
      <ResponseInformation><Errors/><InformationalMessages i:nil="true"/></ResponseInformation>
      <TrackingInformationList>
        <TrackingInformation>
          <PIN><Value>{pin}</Value></PIN>
          <Scans>
            <Scan>
              <ScanType>{kind}</ScanType>
              <PIN><Value>{pin}</Value></PIN>
              <Depot><Name>{escape(depot)}</Name></Depot>
              <ScanDate>{utc.strftime("%Y-%m-%d")}</ScanDate>
              <ScanTime>{utc.strftime("%H%M%S")}</ScanTime>
              <Description>{escape(description)}</Description>
              <Comment>{escape(comment)}</Comment>
              <SummaryScanIndicator>false</SummaryScanIndicator>
            </Scan>
          </Scans>
          <ResponseInformation i:nil="true"/>
        </TrackingInformation>
      </TrackingInformationList>
    </TrackPackagesByPinResponse>
  </s:Body>
</s:Envelope>
"""
        return [SimPayload(value=xml.encode(), headers={"content-type": "text/xml; charset=utf-8"})]


RENDERER = PurolatorRenderer()
