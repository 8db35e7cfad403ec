"""DHL Express checkpoint codes -> karrio statuses and incident reasons (karrio's tables).

karrio's DHL Express tables are kept as they are; Seamscope adds checkpoint codes DHL
documents that karrio does not list (``PO`` departing origin). Some codes are both a
status and an incident (``CD`` clearance delay is in transit and a customs delay): the
scan keeps both.
"""

from __future__ import annotations

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    on_hold = ["BA", "HP", "OH"]
    delivered = ["OK"]
    picked_up = ["PU", "PL", "OR"]
    in_transit = ["DF", "AF", "AR", "IT", "TR", "CC", "CD", "PO"]
    delivery_failed = ["CM", "DM", "DP", "DS", "NH", "RD", "RT", "SS", "ST"]
    delivery_delayed = ["IR", "MD", "TD", "UD"]
    out_for_delivery = ["WC"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["DA", "DG", "BR"]
    carrier_sorting_error = ["MS", "MR"]
    carrier_address_not_found = ["NA", "IA"]
    carrier_parcel_lost = ["LO", "LS"]
    carrier_not_enough_time = ["LT", "DL"]
    carrier_vehicle_issue = ["VB", "ME"]
    consignee_refused = ["RF", "RJ", "RR"]
    consignee_business_closed = ["BC", "CL", "HO"]
    consignee_not_available = ["CA", "NC"]
    consignee_not_home = ["NH", "NI"]
    consignee_incorrect_address = ["IA", "WA", "AD"]
    consignee_access_restricted = ["SC", "RS"]
    customs_delay = ["CD", "CS", "CI"]
    customs_documentation = ["CM", "DP", "DD"]
    customs_duties_unpaid = ["CU", "DU", "TP"]
    weather_delay = ["WD", "WE", "WS"]
    natural_disaster = ["ND", "EM", "FO"]
    delivery_address_issue = ["AD", "IA", "IC"]
    delivery_attempt_failed = ["FA", "UA", "UD"]
    shipment_on_hold = ["HP", "OH", "HO"]


KARRIO_DEVIATIONS: dict[str, str] = {}
