"""DPD life-cycle statuses -> karrio statuses (karrio's DPD tables, extended).

karrio's DPD table lists five statuses; Seamscope adds the others DPD's life cycle
reports (``PickedUp``, ``BetweenDepots``, ``Depot``, ``Accepted``). DPD's tracking steps
carry no incident codes; karrio's incident table is kept for DPD's other services.
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    delivered = ["Delivered"]
    in_transit = ["in_transit", "BetweenDepots", "Depot", "InTransit"]
    ready_for_pickup = ["ParcelShop"]
    delivery_failed = ["DeliveryFailure", "NotDelivered"]
    out_for_delivery = ["Courier", "ReturningFromDelivery"]
    picked_up = ["PickedUp", "Accepted", "Pickup"]
    pending = ["SHIPMENT", "DataReceived"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["DMG", "DAMAGED"]
    carrier_sorting_error = ["MISROUTED"]
    carrier_address_not_found = ["ADDRESS_NOT_FOUND"]
    carrier_parcel_lost = ["LOST"]
    carrier_vehicle_issue = ["VEHICLE_ISSUE"]
    consignee_refused = ["REFUSED", "REJECTED"]
    consignee_business_closed = ["BUSINESS_CLOSED"]
    consignee_not_available = ["NOT_AVAILABLE"]
    consignee_not_home = ["NOT_HOME", "RECIPIENT_ABSENT"]
    consignee_incorrect_address = ["INCORRECT_ADDRESS", "WRONG_ADDRESS"]
    consignee_access_restricted = ["ACCESS_RESTRICTED"]
    customs_delay = ["CUSTOMS_DELAY", "CUSTOMS_HOLD"]
    customs_documentation = ["CUSTOMS_DOCS"]
    customs_duties_unpaid = ["DUTIES_UNPAID"]
    weather_delay = ["WEATHER"]
    natural_disaster = ["NATURAL_DISASTER"]


KARRIO_DEVIATIONS: dict[str, str] = {}

#: How DPD writes step dates: US-style, 12-hour clock, depot-local, no zone.
DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M:%S")
