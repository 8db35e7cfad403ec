"""Golden tests: each partner payload next to the canonical events it must give.

For every ``tests/fixtures/<format>/<case>.expected.json`` the payload is the sibling
``<case>.json``/``<case>.jsonld``/``<case>.xml`` (with transport headers from
``<case>.headers.json`` when present). Events and problems are compared as one whole
structure, karrio style.

Regenerate after a deliberate mapping change with ``SEAMSCOPE_UPDATE_GOLDEN=1 pytest ...``
and review the diff: the golden files are the specification.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from schemas.adapters import FORMATS as REGISTRY
from schemas.adapters import get_format
from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from tests.schemas.conftest import KINDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORMATS = tuple(sorted(REGISTRY))
PAYLOAD_SUFFIXES = (".json", ".jsonld", ".xml", ".txt")


def _payload_path(folder: Path, case: str) -> Path:
    for suffix in PAYLOAD_SUFFIXES:
        path = folder / f"{case}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"no payload for golden case {folder.name}/{case}")


def _cases() -> list[Any]:
    cases = []
    for fmt in FORMATS:
        folder = FIXTURES / fmt
        payloads = sorted(
            p
            for p in folder.glob("*")
            if p.suffix in PAYLOAD_SUFFIXES
            and not p.name.startswith("LICENSE")
            and not p.name.endswith((".expected.json", ".headers.json"))
        )
        cases += [pytest.param(fmt, p.stem, id=f"{fmt}/{p.stem}") for p in payloads]
    return cases


def as_data(result: NormalizeResult) -> dict[str, Any]:
    return {
        "events": [e.model_dump(mode="json") for e in result.events],
        "problems": result.problems,
    }


def normalize_case(fmt: str, case: str, ctx: PartnerContext, at: datetime) -> NormalizeResult:
    folder = FIXTURES / fmt
    headers_path = folder / f"{case}.headers.json"
    headers = json.loads(headers_path.read_text()) if headers_path.exists() else {}
    raw = RawMessage(
        value=_payload_path(folder, case).read_bytes(),
        headers=headers,
        topic=f"seamscope.raw.{ctx.partner_id}",
        partition=0,
        offset=42,
    )
    return get_format(fmt).adapter.normalize(raw, ctx, at)


@pytest.mark.parametrize(("fmt", "case"), _cases())
def test_golden(
    fmt: str, case: str, contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    actual = as_data(normalize_case(fmt, case, contexts[fmt], ingested_at))
    expected_path = FIXTURES / fmt / f"{case}.expected.json"
    if os.environ.get("SEAMSCOPE_UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(expected_path.read_text())


def test_every_golden_case_has_a_payload_and_expectation() -> None:
    for fmt in FORMATS:
        folder = FIXTURES / fmt
        for expected in folder.glob("*.expected.json"):
            case = expected.name.removesuffix(".expected.json")
            assert _payload_path(folder, case).exists()


def test_error_cases_report_problems() -> None:
    """Every ``error_*`` golden case must dead-letter: a problem, never silence."""
    for fmt in FORMATS:
        for expected in (FIXTURES / fmt).glob("error_*.expected.json"):
            assert json.loads(expected.read_text())["problems"], expected.name


def test_every_format_has_golden_cases_with_an_error_case() -> None:
    for fmt in FORMATS:
        cases = list((FIXTURES / fmt).glob("*.expected.json"))
        errors = [c for c in cases if c.name.startswith("error_")]
        assert len(cases) > len(errors) > 0, f"{fmt}: needs golden cases and an error_ case"


def test_every_format_has_a_partner_context() -> None:
    assert set(KINDS) == set(REGISTRY)
