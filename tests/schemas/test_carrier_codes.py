"""Carrier code tables against karrio's: same codes, same normalized status and reason.

Each carrier folder's ``codes.py`` keeps karrio's ``TrackingStatus`` and
``TrackingIncidentReason`` names and code lists (extended with codes karrio lacks). Every
code karrio lists must map to a status karrio lists it under, except the codes the folder
documents in ``KARRIO_DEVIATIONS`` with its reason. karrio's mappings are read in place
from ../shared/fixtures (LGPL-3.0, never copied); those checks skip without it.
"""

from __future__ import annotations

import importlib
import json
from enum import Enum
from types import ModuleType
from typing import Any

import pytest

from schemas.adapters import FORMATS
from schemas.adapters.carrier import MILESTONES, responsible_for
from schemas.canonical import Responsible
from tests.schemas.conftest import KINDS
from tests.schemas.shared_samples import SHARED

CARRIERS = sorted(fmt for fmt, kind in KINDS.items() if kind.value == "carrier")
MAPPING_FILES = ("karrio/karrio_tracking_status_mappings.json",)
COMMUNITY = "karrio_community/karrio_tracking_status_mappings.json"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"karrio's mappings not available: {SHARED} is absent"
)


def codes_of(fmt: str) -> ModuleType:
    return importlib.import_module(f"schemas.adapters.{fmt}.codes")


def find(table: Any, code: str) -> str:
    """The status or reason name a table gives a code (tables predating ``CodeTable`` too)."""
    try:
        found = table.find(code)
    except TypeError:  # UPS: find(code, kind)
        found = table.find(code, "")
    if isinstance(found, Enum):
        return found.name
    return found or ""


def karrio() -> dict[str, Any]:
    mappings: dict[str, Any] = {}
    for name in (*MAPPING_FILES, COMMUNITY):
        mappings.update(json.loads((SHARED / name).read_text()))
    return mappings


def test_every_carrier_format_has_karrio_style_tables() -> None:
    for fmt in CARRIERS:
        codes = codes_of(fmt)
        assert issubclass(codes.TrackingStatus, Enum), fmt
        assert issubclass(codes.TrackingIncidentReason, Enum), fmt
        for member in codes.TrackingStatus:
            assert member.name in MILESTONES, (fmt, member.name)


def test_every_incident_reason_names_who_is_responsible() -> None:
    for fmt in CARRIERS:
        for member in codes_of(fmt).TrackingIncidentReason:
            assert responsible_for(member.name) is not Responsible.unknown, (fmt, member.name)


@needs_shared
@pytest.mark.fixtures
@pytest.mark.parametrize("fmt", CARRIERS)
def test_status_codes_align_with_karrio(fmt: str) -> None:
    mapping = karrio()
    assert fmt in mapping, f"{fmt} is not a karrio connector name"
    codes = codes_of(fmt)
    deviations: dict[str, str] = getattr(codes, "KARRIO_DEVIATIONS", {})
    statuses: dict[str, list[str]] = mapping[fmt].get("TrackingStatus") or {}
    for listed_codes in statuses.values():
        for code in listed_codes:
            listed = {s for s, cs in statuses.items() if code in cs}
            found = find(codes.TrackingStatus, code)
            if code in deviations:
                assert found and found not in listed, (fmt, code, found, "stale deviation")
                assert deviations[code].startswith(f"{found}:"), (fmt, code, deviations[code])
            else:
                assert found in listed, (fmt, code, found, listed)


@needs_shared
@pytest.mark.fixtures
@pytest.mark.parametrize("fmt", CARRIERS)
def test_incident_codes_align_with_karrio(fmt: str) -> None:
    codes = codes_of(fmt)
    reasons: dict[str, list[str]] = karrio()[fmt].get("TrackingIncidentReason") or {}
    for listed_codes in reasons.values():
        for code in listed_codes:
            listed = {r for r, cs in reasons.items() if code in cs}
            assert find(codes.TrackingIncidentReason, code) in listed, (fmt, code, listed)


def test_registry_lists_the_carriers() -> None:
    assert set(CARRIERS) <= set(FORMATS)
