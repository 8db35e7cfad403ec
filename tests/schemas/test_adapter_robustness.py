"""Adapters never raise: random bytes and mutated real payloads give events or problems."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.adapters import FORMATS, get_format
from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from schemas.adapters.shopify.codes import Topic

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SETTINGS = settings(
    max_examples=int(os.environ.get("SEAMSCOPE_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _headers_for(path: Path) -> dict[str, str]:
    headers_path = path.with_name(path.name.split(".")[0] + ".headers.json")
    return json.loads(headers_path.read_text()) if headers_path.exists() else {}


def _seeds() -> list[tuple[str, Any, dict[str, str]]]:
    """Every valid JSON golden payload, with its transport headers."""
    seeds = []
    for fmt in sorted(FORMATS):
        for path in sorted((FIXTURES / fmt).glob("*.json*")):
            if path.name.endswith((".expected.json", ".headers.json")):
                continue
            try:
                payload = json.loads(path.read_bytes())
            except ValueError:
                continue
            seeds.append((fmt, payload, _headers_for(path)))
    return seeds


def _xml_seeds() -> list[tuple[str, bytes, dict[str, str]]]:
    """Every well-formed XML golden payload (EPCIS XML and the XML carriers)."""
    seeds = []
    for fmt in sorted(FORMATS):
        for path in sorted((FIXTURES / fmt).glob("*.xml")):
            try:
                ET.fromstring(path.read_bytes())
            except ET.ParseError:
                continue
            seeds.append((fmt, path.read_bytes(), _headers_for(path)))
    return seeds


SEEDS = _seeds()
XML_SEEDS = _xml_seeds()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "20250307",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-14:00",
            "2025-03-07T25:61:00",
            "urn:epc:id:sscc:4012345.3000000123",
            "urn:epc:id:sscc:1.2",
            "https://id.gs1.org/00/340123450000001236",
            "urn:epcglobal:cbv:bt:0614141000005:",
            "#",
            "   ",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


def _replace(value: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replace(value[head], rest, new, delete)
        return copy
    copy_list = list(value)
    if delete and not rest:
        del copy_list[head]
    else:
        copy_list[head] = _replace(value[head], rest, new, delete)
    return copy_list


def _check(result: NormalizeResult) -> None:
    assert isinstance(result, NormalizeResult)
    assert result.events or result.problems
    assert all(isinstance(p, str) and p for p in result.problems)
    for event in result.events:
        assert event.occurred_at.utcoffset() is not None


#: Transport headers the formats read, each with values they know and values they do not.
TOPIC_HEADERS = {
    "x-shopify-topic": [t.value for t in Topic],
    "x-wc-webhook-topic": ["order.created", "order.updated", "order.deleted", "product.updated"],
    "x-webhook-topic": ["order.shipped", "order.shipment.tracking_received", "return.created"],
    "x-shopify-triggered-at": ["2025-03-14T10:00:00Z", "yesterday", "9999-12-31T23:59:59+14:00"],
    "x-tracking-number": ["1Z999AA10123456784", "", "Pickup"],
    "x-shipbob-order-id": ["381004518", "0"],
}
header_values = st.dictionaries(
    st.sampled_from(sorted(TOPIC_HEADERS)),
    st.one_of(
        st.sampled_from(sorted({v for values in TOPIC_HEADERS.values() for v in values})),
        st.text(max_size=20),
    ),
    max_size=3,
)


@SETTINGS
@given(
    fmt=st.sampled_from(sorted(FORMATS)),
    value=st.binary(max_size=300),
    headers=st.one_of(st.just({}), header_values),
)
def test_random_bytes_never_raise(
    fmt: str,
    value: bytes,
    headers: dict[str, str],
    contexts: dict[str, PartnerContext],
    ingested_at: datetime,
) -> None:
    _check(
        get_format(fmt).adapter.normalize(RawMessage(value, headers), contexts[fmt], ingested_at)
    )


@SETTINGS
@given(
    fmt=st.sampled_from(sorted(FORMATS)),
    payload=json_values,
    headers=st.one_of(st.just({}), header_values),
)
def test_random_json_never_raises(
    fmt: str,
    payload: Any,
    headers: dict[str, str],
    contexts: dict[str, PartnerContext],
    ingested_at: datetime,
) -> None:
    raw = RawMessage(json.dumps(payload).encode(), headers)
    _check(get_format(fmt).adapter.normalize(raw, contexts[fmt], ingested_at))


@SETTINGS
@given(
    seed=st.sampled_from(SEEDS),
    choice=st.integers(min_value=0),
    new=json_values,
    delete=st.booleans(),
    mutations=st.integers(min_value=1, max_value=3),
)
def test_mutated_real_payloads_never_raise(
    seed: tuple[str, Any, dict[str, str]],
    choice: int,
    new: Any,
    delete: bool,
    mutations: int,
    contexts: dict[str, PartnerContext],
    ingested_at: datetime,
) -> None:
    fmt, payload, headers = seed
    for step in range(mutations):
        paths = _paths(payload)
        path = paths[(choice + step * 7919) % len(paths)]
        payload = _replace(payload, path, new, delete and bool(path))
    raw = RawMessage(json.dumps(payload).encode(), headers)
    _check(get_format(fmt).adapter.normalize(raw, contexts[fmt], ingested_at))


def test_deeply_nested_json_is_a_problem(
    contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    for fmt in FORMATS:
        headers = {"x-shopify-topic": "orders/create"}
        result = get_format(fmt).adapter.normalize(
            RawMessage(deep, headers), contexts[fmt], ingested_at
        )
        assert result.problems and not result.events


def test_deeply_nested_xml_is_a_problem(
    contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    deep = b"<a>" * 50_000 + b"</a>" * 50_000
    for fmt in FORMATS:
        result = get_format(fmt).adapter.normalize(RawMessage(deep), contexts[fmt], ingested_at)
        assert result.problems and not result.events, fmt


def test_every_format_has_real_payloads_to_mutate() -> None:
    seeded = {fmt for fmt, _, _ in SEEDS} | {fmt for fmt, _, _ in XML_SEEDS}
    assert seeded == set(FORMATS)


def _mutate_xml(value: bytes, choices: list[int], new: Any, delete: bool, attribute: bool) -> bytes:
    """Change the text or an attribute of, or remove, chosen elements; serialize once (the
    result may well be invalid XML, which the adapter must reject gracefully)."""
    root = ET.fromstring(value)
    for choice in choices:
        elements = list(root.iter())
        parents = {child: parent for parent in elements for child in parent}
        target = elements[choice % len(elements)]
        if delete and target in parents:
            parents[target].remove(target)
        elif attribute:
            target.set("type", str(new))
        else:
            target.text = new if isinstance(new, str) else json.dumps(new)
    return ET.tostring(root)


@SETTINGS
@given(
    seed=st.sampled_from(XML_SEEDS),
    choice=st.integers(min_value=0),
    new=json_values,
    delete=st.booleans(),
    attribute=st.booleans(),
    mutations=st.integers(min_value=1, max_value=3),
)
def test_mutated_real_xml_payloads_never_raise(
    seed: tuple[str, bytes, dict[str, str]],
    choice: int,
    new: Any,
    delete: bool,
    attribute: bool,
    mutations: int,
    contexts: dict[str, PartnerContext],
    ingested_at: datetime,
) -> None:
    fmt, value, headers = seed
    choices = [choice + step * 7919 for step in range(mutations)]
    value = _mutate_xml(value, choices, new, delete, attribute)
    result = get_format(fmt).adapter.normalize(
        RawMessage(value, headers), contexts[fmt], ingested_at
    )
    _check(result)
