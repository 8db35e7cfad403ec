"""Adapters never raise: random bytes and mutated real payloads give events or problems."""

from __future__ import annotations

import json
import os
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
            headers_path = path.with_name(path.name.split(".")[0] + ".headers.json")
            headers = json.loads(headers_path.read_text()) if headers_path.exists() else {}
            seeds.append((fmt, payload, headers))
    return seeds


SEEDS = _seeds()

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


header_values = st.one_of(st.sampled_from([t.value for t in Topic]), st.text(max_size=20)).map(
    lambda topic: {"x-shopify-topic": topic}
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
