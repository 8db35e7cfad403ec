"""Amazon Shipping event codes -> karrio statuses and incident reasons (karrio's tables).

``KARRIO_DEVIATIONS`` lists the codes deliberately mapped differently from karrio, each
with the reason; a test checks every other karrio code maps exactly as karrio maps it.
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    pending = ["LabelCreated", "Manifested"]
    picked_up = ["PickedUp"]
    in_transit = [
        "InTransit", "ArrivedAtCarrierFacility", "DepartedCarrierFacility",
        "ArrivedAtDeliveryStation", "ArrivedAtLocalFacility",
    ]  # fmt: skip
    out_for_delivery = ["OutForDelivery"]
    delivered = ["Delivered"]
    delivery_delayed = ["Delayed", "WeatherDelay"]
    on_hold = ["OnHold", "PaymentNotReady"]
    delivery_failed = [
        "DeliveryAttempted", "Undeliverable", "AddressNotFound", "BusinessClosed",
        "CustomerUnavailable", "UnableToAccess", "UnableToContactRecipient",
    ]  # fmt: skip
    return_initiated = ["ReturnInitiated", "Rejected", "CancelledByRecipient"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["Damaged"]
    consignee_refused = [
        "Rejected", "RejectedByRecipientWithVerification", "IncorrectItems", "NotRequired",
    ]  # fmt: skip
    consignee_not_home = ["CustomerUnavailable", "BusinessClosed"]
    wrong_address = ["AddressNotFound"]
    unable_to_access = ["UnableToAccess", "UnableToContactRecipient"]
    payment_issue = ["PaymentNotReady", "OtpNotAvailable"]
    hazmat = ["HazmatShipment"]
    weather_delay = ["WeatherDelay"]


KARRIO_DEVIATIONS: dict[str, str] = {
    "PickedUp": "picked_up: the carrier has collected the parcel (karrio: pending)",
}

#: Leg of the journey a scan belongs to; on the RETURNS leg "Delivered" is back at the sender.
RETURN_LEG = "RETURNS"
