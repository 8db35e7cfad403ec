"""Conformance: every real partner sample of every supported format, read end to end.

Each sample in ../shared/fixtures (see ``shared_samples.py`` for which files each format
reads) must give canonical events whose first one has the expected milestone, time and
identifier, or be dead-lettered with the expected reason; the expectations were reviewed
by hand and live in ``shared_samples_expected.py``. ``SEAMSCOPE_UPDATE_GOLDEN=1`` rewrites
that file for review after a deliberate mapping change. The files are read in place
(several have no open licence); the test skips, saying why, without ``../shared``.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from schemas.adapters import FORMATS, get_format
from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage
from tests.schemas.shared_samples import SHARED, Sample, discover
from tests.schemas.shared_samples_expected import EXPECTED

pytestmark = [
    pytest.mark.fixtures,
    pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"partner samples not available: {SHARED} is absent"
    ),
]

SAMPLES: list[Sample] = list(discover()) if SHARED.is_dir() else []
EXPECTED_FILE = Path(__file__).with_name("shared_samples_expected.py")


def reason(problem: str) -> str:
    """The part of a problem worth comparing: without an EPCIS event's position label."""
    if problem.startswith(("eventList", "EventList", "event")):
        problem = problem.rsplit("): ", 1)[-1]
    return problem[:70]


def describe(result: NormalizeResult) -> tuple[Any, ...]:
    """(events, first milestone, first time, first identifier[, problem]) or (problem,)."""
    if not result.events:
        return (reason(result.problems[0]),)
    first = result.events[0]
    summary: tuple[Any, ...] = (
        len(result.events),
        first.milestone.value,
        first.occurred_at.strftime("%Y-%m-%dT%H:%M:%S%z"),
        first.identifiers[0].value,
    )
    return (*summary, reason(result.problems[0])) if result.problems else summary


def normalize(sample: Sample, ctx: PartnerContext, at: datetime) -> NormalizeResult:
    raw = RawMessage(sample.path.read_bytes(), sample.headers, topic=f"seamscope.raw.{sample.fmt}")
    result = get_format(sample.fmt).adapter.normalize(raw, ctx, at)
    assert result.events or result.problems, "a payload must give events or a problem"
    assert all(isinstance(p, str) and p.strip() for p in result.problems)
    for event in result.events:
        assert event.identifiers, event
        assert event.occurred_at.utcoffset() is not None
        assert event.source.partner_format == sample.fmt
    return result


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.key for s in SAMPLES])
def test_sample_gives_the_expected_events_or_dead_letter(
    sample: Sample, contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    result = normalize(sample, contexts[sample.fmt], ingested_at)
    if os.environ.get("SEAMSCOPE_UPDATE_GOLDEN") == "1":
        pytest.skip("expectations are being rewritten")
    assert describe(result) == EXPECTED[sample.key]
    again = normalize(sample, contexts[sample.fmt], ingested_at)
    assert [e.event_id for e in again.events] == [e.event_id for e in result.events]


def test_every_sample_has_an_expectation_and_every_expectation_a_sample() -> None:
    assert sorted(s.key for s in SAMPLES) == sorted(EXPECTED)


def test_every_format_is_checked_against_real_samples() -> None:
    assert {s.fmt for s in SAMPLES} == set(FORMATS)


def test_samples_map_more_often_than_not_for_order_and_carrier_formats(
    contexts: dict[str, PartnerContext], ingested_at: datetime
) -> None:
    """Dead letters are expected for resources that are not reports (lists of webhooks,
    inventory, ...), but most of a format's real reports must map."""
    mapped: Counter[str] = Counter()
    for sample in SAMPLES:
        mapped[sample.fmt] += bool(normalize(sample, contexts[sample.fmt], ingested_at).events)
    assert all(mapped[fmt] >= 1 for fmt in FORMATS), mapped


def test_rewrite_expectations(contexts: dict[str, PartnerContext], ingested_at: datetime) -> None:
    """With ``SEAMSCOPE_UPDATE_GOLDEN=1``: rewrite ``shared_samples_expected.py``."""
    if os.environ.get("SEAMSCOPE_UPDATE_GOLDEN") != "1":
        pytest.skip("set SEAMSCOPE_UPDATE_GOLDEN=1 to rewrite the expectations")
    lines = [line for line in EXPECTED_FILE.read_text().splitlines() if not line.startswith(" ")]
    head = lines[: lines.index("EXPECTED: dict[str, Expect] = {") + 1]
    body, last = [], ""
    for sample in SAMPLES:
        if sample.fmt != last:
            body.append(f"    # --- {sample.fmt}")
            last = sample.fmt
        entry = describe(normalize(sample, contexts[sample.fmt], ingested_at))
        body.append(f"    {sample.key!r}: {entry!r},")
    EXPECTED_FILE.write_text("\n".join([*head, *body, "}"]) + "\n")
