"""Canada Post event identifiers -> karrio statuses and incident reasons (karrio's tables).

karrio lists identifiers without leading zeros ("174"); Canada Post writes them with
("0174"), so lookups strip them. karrio's ``in_transit`` is its fallback (the empty
code); Seamscope adds the in-transit identifiers Canada Post sends for international
items and keeps other unknown identifiers as ``unknown``.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from schemas.adapters.carrier import CodeTable


class TrackingStatus(CodeTable):
    delivered = [
        "1408", "1409", "1421", "1422", "1423", "1424", "1425", "1426", "1427", "1428", "1429",
        "1430", "1431", "1432", "1433", "1434", "1441", "1442", "1496", "1497", "1498", "1499",
    ]  # fmt: skip
    in_transit = ["", "4300", "4310", "4450", "4500", "4600"]
    picked_up = [
        "100", "101", "102", "103", "104", "105", "106", "107",
        "1400", "1401", "1402", "1403", "1404", "1405",
    ]  # fmt: skip
    on_hold = [
        "117", "120", "121", "125", "127", "810", "1411", "1414", "1443", "1484", "1487",
        "1494", "2411", "2414", "4700",
    ]  # fmt: skip
    ready_for_pickup = [
        "118", "156", "1407", "1410", "1435", "1436", "1437", "1438", "1479", "1488", "1701",
        "2410",
    ]  # fmt: skip
    delivery_failed = [
        "150", "154", "167", "168", "169", "179", "181", "182", "183", "184", "190", "1100",
        "1415", "1416", "1417", "1418", "1419", "1420", "1450", "1481", "1482", "1483", "1491",
        "1492", "1493", "2600", "2802", "3001", "4650",
    ]  # fmt: skip
    delivery_delayed = ["159", "160", "161", "162", "163", "172", "173", "2412"]
    out_for_delivery = ["174", "500"]


class TrackingIncidentReason(CodeTable):
    carrier_damaged_parcel = ["119", "142", "143", "144", "145", "146", "147", "148", "149"]
    carrier_sorting_error = ["128", "129", "130", "131", "132", "133"]
    carrier_address_not_found = ["122", "123", "1413", "1440", "1485", "1486", "1489", "1490"]
    carrier_parcel_lost = ["124", "126", "151", "152", "153"]
    carrier_not_enough_time = ["155", "157", "158"]
    carrier_vehicle_issue = ["134", "135", "136", "137", "138"]
    consignee_refused = ["150", "1415", "1416"]
    consignee_business_closed = ["179", "181", "182"]
    consignee_not_available = ["183", "184", "190", "1418", "1419", "1420"]
    consignee_not_home = ["167", "168", "169", "1417"]
    consignee_incorrect_address = ["172", "173", "1482", "1483"]
    consignee_access_restricted = ["154", "180", "185", "186", "187", "188", "189"]
    customs_delay = ["810", "1443", "1484", "1487"]
    customs_documentation = ["117", "120", "121"]
    customs_duties_unpaid = ["125", "127", "1494"]
    weather_delay = ["159", "160", "161", "162", "163"]
    natural_disaster = ["164", "165", "166"]


KARRIO_DEVIATIONS: dict[str, str] = {}

#: ``event-time-zone`` abbreviations Canada Post writes -> UTC offset.
ZONES: dict[str, timezone] = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "NST": -3.5, "NDT": -2.5, "AST": -4, "ADT": -3, "EST": -5, "EDT": -4, "CST": -6,
        "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "UTC": 0, "GMT": 0,
    }.items()
}  # fmt: skip


def normalize_identifier(value: str) -> str:
    """``0174`` -> ``174``: karrio's (and this table's) spelling of an identifier."""
    value = value.strip()
    return value.lstrip("0") or ("0" if value else "")
