"""ShipStation order statuses and tracking status codes -> canonical milestones.

``TrackingStatus`` uses karrio's status names (the tracking part is carrier tracking
relayed by ShipStation) over ShipStation's ``status_detail_code`` enum, falling back on
the coarse ``status_code`` (v2 words, or ShipEngine's two letters).
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class OrderStatus(CodeTable):
    """v1 ``orderStatus`` -> milestone name."""

    order_placed = ["awaiting_payment"]
    released_to_warehouse = ["awaiting_shipment", "pending_fulfillment"]
    on_hold = ["on_hold"]
    handed_off = ["shipped"]
    order_cancelled = ["cancelled"]


class TrackingStatus(CodeTable):
    """``status_detail_code`` (else ``status_code``) -> karrio status name; ``exception`` is
    Seamscope's name for ShipStation's lost/damaged/prohibited family (karrio has none)."""

    pending = [
        "AWAITING_DESPATCH", "COLLECTION_REQUESTED", "ELEC_ADVICE_RECD_BY_CARRIER",
        "NOT_YET_RECEIVED_BY_CARRIER", "AWAITING_ELECTRONIC_ADVICE", "NY", "AC",
    ]  # fmt: skip
    picked_up = [
        "DESPATCHED", "COLLECTION_MADE", "RECEIVED_BY_CARRIER", "RECD_BY_CARRIER_NO_ELEC_ADVICE",
        "SUB_CONTRACTOR_RECEIVED",
    ]  # fmt: skip
    in_transit = [
        "IN_TRANSIT", "HUB_SCAN_OUT", "RECEIVED_LOCAL_DELIVERY_DEPOT", "CUSTOMS_CLEARED",
        "CUSTOMS_PROCESSING", "PARCEL_REPACKED", "PARCEL_OVER_LABELLED", "SUB_CONTRACTOR_EVENT",
        "INFORMATION", "PARCEL_UPDATE_NOTIFICATION_VIA_EMAIL", "PARCEL_UPDATE_NOTIFICATION_VIA_SMS",
        "DELIVERY_ARRANGED_WITH_RECIPIENT", "COD_AMOUNT_PAID", "in_transit", "IT",
    ]  # fmt: skip
    out_for_delivery = ["OUT_FOR_DELIVERY"]
    delivered = [
        "DELIVERED", "DELIVERED_DAMAGED", "DELIVERED_IN_PART", "DELIVERED_SPECIFIED_SAFE_PLACE",
        "DELIVERED_TO_ALTERNATIVE_DELIVERY_LOCATION", "DELIVERED_TO_NEIGHBOUR",
        "DELIVERED_TO_PO_BOX",
        "PARCEL_COLLECTED_FROM_PICKUP_POINT", "POST_TRANSIT_STATUS", "PROOF_OF_DELIVERY",
        "delivered", "DE",
    ]  # fmt: skip
    delivery_failed = [
        "ATTEMPTED_DELIVERY", "ATTEMPTED_DELIVERY_2ND", "ATTEMPTED_DELIVERY_3RD",
        "COD_AMOUNT_NOT_PAID", "CUSTOMER_CARDED", "CUSTOMER_IDENTIFICATION_FAILED",
        "INVALID_METHOD_OF_PAYMENT", "NO_ACCESS_TO_RECIPIENTS_ADDRESS", "NOT_DELIVERED",
        "NOT_DELIVERED_ADDRESSEE_DECEASED", "REFUSED_BY_CUSTOMER", "CUSTOMER_MOVED",
        "NOT_COLLECTED_FROM_PICKUP_POINT", "AT",
    ]  # fmt: skip
    ready_for_pickup = [
        "AWAITING_COLLECTION_FROM_PICKUP_POINT", "COLLECT_AT_LOCAL_PO",
        "CUSTOMER_TO_COLLECT_FROM_CARRIER", "DELIVERED_TO_LOCKER_COLLECTION_POINT", "SP",
    ]  # fmt: skip
    return_to_sender = ["RETURN_TO_SENDER"]
    delivery_delayed = ["CARRIER_DELAYS", "DELAYED_NOT_CARRIER"]
    on_hold = [
        "HELD_BY_CARRIER", "HELD_BY_CARRIER_FOR_CLEARANCE_PRE_PROCESSING", "HELD_BY_CUSTOMS",
        "HELD_BY_EXPORT_CUSTOMS", "HELD_BY_IMPORT_CUSTOMS", "ADDRESS_QUERY",
        "INCORRECT_DECLARATION",
    ]  # fmt: skip
    cancelled = ["CANCELLED", "CANCELLED_BEFORE_DESPATCH"]
    exception = [
        "HAZARDOUS_PROHIBITED", "PARCEL_DAMAGED", "PARCEL_DISPOSED", "PARCEL_LOST",
        "PARCEL_OUTSIDE_OF_SERVICE_CAPABILITY", "MISSORTED", "ROUTING_ERROR", "COLLECTION_FAILED",
        "error", "EX",
    ]  # fmt: skip
    unknown = ["unknown", "UN", "CARRIER_STATUS_NOT_MAPPED"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["DELIVERED_DAMAGED", "PARCEL_DAMAGED"]
    carrier_parcel_lost = ["PARCEL_LOST"]
    carrier_sorting_error = ["MISSORTED", "ROUTING_ERROR"]
    carrier_capacity_exceeded = ["PARCEL_OUTSIDE_OF_SERVICE_CAPABILITY"]
    carrier_not_enough_time = ["CARRIER_DELAYS"]
    retailer_not_ready = ["COLLECTION_FAILED", "NOT_YET_RECEIVED_BY_CARRIER"]
    consignee_refused = ["REFUSED_BY_CUSTOMER"]
    consignee_not_home = [
        "ATTEMPTED_DELIVERY", "ATTEMPTED_DELIVERY_2ND", "ATTEMPTED_DELIVERY_3RD", "CUSTOMER_CARDED",
    ]  # fmt: skip
    consignee_verification_failed = ["CUSTOMER_IDENTIFICATION_FAILED"]
    consignee_incorrect_address = ["CUSTOMER_MOVED", "ADDRESS_QUERY"]
    consignee_access_restricted = ["NO_ACCESS_TO_RECIPIENTS_ADDRESS"]
    customs_delay = ["HELD_BY_CUSTOMS", "HELD_BY_EXPORT_CUSTOMS", "HELD_BY_IMPORT_CUSTOMS"]
    customs_documentation = ["INCORRECT_DECLARATION"]
    customs_prohibited = ["HAZARDOUS_PROHIBITED"]
    payment_issue = ["COD_AMOUNT_NOT_PAID", "INVALID_METHOD_OF_PAYMENT"]
