"""Partners send odd things: each kind of oddity, and what every format does with it.

Malformed JSON/XML, wrong types and missing IDs become problems a person can act on
(the golden ``error_*`` cases show one per format); unknown codes keep the event as
``unknown`` with a flag; timestamps are made UTC where the format says how, and flagged
where it does not; the same payload twice gives the same event ids; XML with DTDs or
entities is refused before parsing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from schemas.adapters import FORMATS, get_format
from schemas.adapters.base import PartnerContext, RawMessage
from schemas.adapters.common import (
    TIMEZONE_ASSUMED_UTC,
    UNKNOWN_STATUS,
    clean_id,
    gid_tail,
    load_xml,
    parse_time,
)
from schemas.canonical import Milestone

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
XML_FORMATS = ("epcis", "dhl_express", "canadapost", "purolator", "dpd")
#: Formats with no status codes of their own to be unknown (one webhook type, one milestone).
NO_STATUS_CODES = {"shiphero"}


def _golden_cases(fmt: str) -> list[Path]:
    folder = FIXTURES / fmt
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".json", ".jsonld", ".xml", ".txt")
        and not p.name.startswith("LICENSE")
        and not p.name.endswith((".expected.json", ".headers.json"))
    )


def _headers(path: Path) -> dict[str, str]:
    headers = path.with_name(path.name.split(".")[0] + ".headers.json")
    return json.loads(headers.read_text()) if headers.exists() else {}


# --- timestamps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "flags"),
    [
        ("2025-03-14T10:00:00Z", {}, datetime(2025, 3, 14, 10, tzinfo=UTC), ()),
        ("2025-03-14T10:00:00+0200", {}, datetime(2025, 3, 14, 8, tzinfo=UTC), ()),
        ("2025-03-14T10:00:00.0000000", {}, datetime(2025, 3, 14, 10, tzinfo=UTC),
         (TIMEZONE_ASSUMED_UTC,)),
        ("2025-03-14T10:00:00", {"offset": "-05:00"}, datetime(2025, 3, 14, 15, tzinfo=UTC), ()),
        ("2025-03-14 10:00:00", {"local": timezone(timedelta(hours=-8))},
         datetime(2025, 3, 14, 18, tzinfo=UTC), ()),
        (1741946400000, {}, datetime(2025, 3, 14, 10, tzinfo=UTC), ()),
        ("1741946400000", {}, datetime(2025, 3, 14, 10, tzinfo=UTC), ()),
        (1741946400, {}, datetime(2025, 3, 14, 10, tzinfo=UTC), ()),
    ],
)  # fmt: skip
def test_timestamps_become_utc_or_say_they_were_assumed(
    value: object, kwargs: dict[str, object], expected: datetime, flags: tuple[str, ...]
) -> None:
    assert parse_time(value, **kwargs) == (expected, flags)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value", ["", "yesterday", "14/03/2025", None, True, 10**30, "0001-01-01T00:00:00+14:00"]
)
def test_unusable_timestamps_are_a_readable_error(value: object) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_time(value, "eventTime")


def test_future_and_very_late_reports_are_flagged(contexts: dict[str, PartnerContext]) -> None:
    now = datetime(2025, 3, 15, 12, tzinfo=UTC)
    body = {
        "trackingId": "TBA318724590009",
        "eventHistory": [
            {"eventCode": "InTransit", "eventTime": "2025-03-15T14:00:00Z"},
            {"eventCode": "PickedUp", "eventTime": "2021-03-15T12:00:00Z"},
            {"eventCode": "LabelCreated", "eventTime": "2025-03-15T11:59:00Z"},
        ],
    }
    raw = RawMessage(json.dumps(body).encode())
    events = get_format("amazon_shipping").adapter.normalize(raw, contexts["amazon_shipping"], now)
    assert [e.quality_flags for e in events.events] == [("future_timestamp",), ("very_late",), ()]


# --- identifiers and codes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Pickup", ""), (" n/a ", ""), (0, ""), ("string", ""), ("1Z999", "1Z999"), (None, "")],
)
def test_placeholder_identifiers_identify_nothing(value: object, expected: str) -> None:
    assert clean_id(value) == expected


def test_graphql_ids_become_rest_ids() -> None:
    assert gid_tail("gid://shopify/FulfillmentOrder/1046000783") == "1046000783"
    assert gid_tail(1046000783) == "1046000783"


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - NO_STATUS_CODES))
def test_unknown_codes_are_kept_as_unknown_and_flagged(fmt: str) -> None:
    """Each format's golden cases include a code it does not know."""
    flagged = []
    for expected in (FIXTURES / fmt).glob("*.expected.json"):
        for event in json.loads(expected.read_text())["events"]:
            if UNKNOWN_STATUS in event["quality_flags"]:
                flagged.append(event)
    if fmt == "usps_international":  # reads exactly as usps, whose cases cover it
        pytest.skip("same mapping as usps")
    assert flagged, f"{fmt}: no golden case with an unknown status code"
    for event in flagged:
        assert event["raw_status"], event
        assert event["milestone"] == Milestone.unknown.value or fmt == "shipstation", event


# --- the same payload twice ------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_same_payload_twice_gives_the_same_event_ids(
    fmt: str, contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    adapter = get_format(fmt).adapter
    for path in _golden_cases(fmt):
        value, headers = path.read_bytes(), _headers(path)
        first = adapter.normalize(
            RawMessage(value, headers, topic="a", partition=0, offset=1), contexts[fmt], ingested_at
        )
        again = adapter.normalize(
            RawMessage(value, headers, topic="a", partition=3, offset=99),
            contexts[fmt],
            ingested_at + timedelta(hours=5),
        )
        assert [e.event_id for e in again.events] == [e.event_id for e in first.events], path
        assert len({e.event_id for e in first.events}) == len(first.events), path


# --- XML safety and XML vs JSON --------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<root>&lol2;</root>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"""


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"<!doctype x><x/>"])
def test_xml_with_dtd_or_entities_is_refused_unparsed(
    fmt: str, payload: bytes, contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    result = get_format(fmt).adapter.normalize(RawMessage(payload), contexts[fmt], ingested_at)
    assert not result.events
    assert "DTD or entities" in result.problems[0]


def test_load_xml_refuses_before_parsing() -> None:
    root, error = load_xml(RawMessage(EXTERNAL_ENTITY))
    assert root is None and error and "refused" in error


def test_epcis_tells_xml_from_json_by_content(
    contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    adapter = get_format("epcis").adapter
    xml = (FIXTURES / "epcis" / "wms_xml_pack_and_ship.xml").read_bytes()
    json_doc = (FIXTURES / "epcis" / "wms_pallet_packing.jsonld").read_bytes()
    for value in (xml, b"\xef\xbb\xbf  \n" + xml, json_doc):
        result = adapter.normalize(RawMessage(value), contexts["epcis"], ingested_at)
        assert result.events and not result.problems


# --- many events per document ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "case", "events"),
    [
        ("epcis", "wms_xml_pack_and_ship.xml", 3),
        ("usps", "delivered_history.json", 7),
        ("dhl_express", "delivery_attempt_and_customs.xml", 5),
        ("dpd", "delivery_failure_then_parcelshop.xml", 5),
        ("woocommerce", "rest_backfill_order_list.json", 4),
        ("walmart", "order_split_shipment_unknown_line_status.json", 3),
        ("shipbob", "timeline_with_gateway_headers.json", 4),
        ("shipstation", "ship_notify_shipments.json", 3),
        ("amazon_sp_api", "tracking_milestone_changed.json", 5),
    ],
)
def test_documents_with_many_events_give_many_events(
    fmt: str, case: str, events: int, contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    path = FIXTURES / fmt / case
    result = get_format(fmt).adapter.normalize(
        RawMessage(path.read_bytes(), _headers(path)), contexts[fmt], ingested_at
    )
    assert len(result.events) == events and not result.problems
