"""What DPD's ParcelLifeCycle service would answer for a simulated parcel (SOAP XML).

Like DPD's own answer it does not name the parcel: the polling gateway adds the number
it asked about as the ``x-tracking-number`` header. Step dates are depot wall clocks
without a zone; the simulated depots run on UTC so the round trip is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from schemas.adapters.carrier import TRACKING_NUMBER_HEADER
from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

#: Milestone -> (status, label, description, location).
SCANS: dict[Milestone, tuple[str, str, str, str]] = {
    Milestone.picked_up: ("PickedUp", "Picked up", "DPD has picked up the parcel.", "Puurs (BE)"),
    Milestone.in_transit: (
        "BetweenDepots", "In transit", "The parcel is at the parcel dispatch centre.", "Puurs (BE)",
    ),
    Milestone.out_for_delivery: (
        "Courier", "Parcel out for delivery", "The parcel is on its way to the consignee.",
        "Mechelen (BE)",
    ),
    Milestone.delivered: (
        "Delivered", "Delivered", "The parcel has been delivered.", "Mechelen (BE)",
    ),
    Milestone.delivery_failed: (
        "DeliveryFailure", "Delivery failed", "Unfortunately we have not been able to deliver.",
        "Mechelen (BE)",
    ),
    Milestone.ready_for_pickup: (
        "ParcelShop", "Parcel shop", "The parcel is waiting at the DPD Pickup parcelshop.",
        "Mechelen (BE)",
    ),
}  # fmt: skip


def _text(tag: str, text: str, bold: bool = True) -> str:
    return (
        f"<{tag}><content>{escape(text)}</content><bold>{str(bold).lower()}</bold>"
        f"<paragraph>false</paragraph></{tag}>"
    )


class DpdRenderer:
    milestones = frozenset(SCANS)

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in SCANS:
            return []
        status, label, description, location = SCANS[milestone]
        date = at.astimezone(UTC).strftime("%m/%d/%Y %I:%M:%S %p")
        xml = f"""<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <getTrackingDataResponse xmlns="http://dpd.com/common/service/types/ParcelLifeCycleService/2.0">
      <trackingresult>
        <statusInfo>
          <status>{status}</status>
          {_text("label", label)}
          <description>{_text("content", description, bold=False)}</description>
          <statusHasBeenReached>true</statusHasBeenReached>
          <isCurrentStatus>true</isCurrentStatus>
          <showContactInfo>false</showContactInfo>
          {_text("location", location)}
          {_text("date", date)}
        </statusInfo>
      </trackingresult>
    </getTrackingDataResponse>
  </soap:Body>
</soap:Envelope>
"""
        headers = {
            "content-type": "text/xml; charset=utf-8",
            TRACKING_NUMBER_HEADER: order.tracking_number,
        }
        return [SimPayload(value=xml.encode(), headers=headers)]


RENDERER = DpdRenderer()
