"""CBV vocabulary (bizStep, disposition, business transaction types) -> canonical terms."""

from __future__ import annotations

from enum import Enum

from schemas.canonical import IdType, Milestone


class BizStep(Enum):
    """CBV 2.0 business steps -> milestone. Steps not listed here map to ``unknown``.

    Receiving, arriving and accepting are inbound steps: for an outbound order journey they
    only mean something with a ``returned`` disposition (see ``Disposition``).
    """

    picked = ["picking"]
    packed = ["packing", "staging_outbound"]
    handed_off = ["shipping", "departing", "loading"]
    in_transit = ["transporting"]
    on_hold = ["holding"]
    exception = ["void_shipping"]

    @classmethod
    def milestone(cls, step: str) -> Milestone:
        if not isinstance(step, str):
            return Milestone.unknown
        return _STEP_MILESTONES.get(step, Milestone.unknown)


#: bizStep -> milestone, the first member listing a step winning (a lookup per event).
_STEP_MILESTONES = {code: Milestone(s.name) for s in reversed(BizStep) for code in s.value}


#: Every CBV 2.0 business step: a step outside this list is the partner's own vocabulary,
#: kept as ``unknown`` and flagged ``unknown_status``.
CBV_STEPS = frozenset(
    {
        "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
        "creating_class_instance", "cycle_counting", "decommissioning", "departing",
        "destroying", "disassembling", "dispensing", "encoding", "entering_exiting", "holding",
        "inspecting", "installing", "killing", "loading", "other", "packing", "picking",
        "receiving", "removing", "repackaging", "repairing", "replacing", "reserving",
        "retail_selling", "sampling", "sensor_reporting", "shipping", "staging_outbound",
        "sterilising", "stock_taking", "stocking", "storing", "transporting", "unloading",
        "unpacking", "void_shipping",
    }
)  # fmt: skip

#: Steps after which a ``returned`` disposition means the return arrived back.
INBOUND_STEPS = frozenset({"receiving", "arriving", "accepting", "unpacking", ""})

#: Dispositions that override the step's milestone, and where they apply.
RETURNED = frozenset({"returned"})
DAMAGED = frozenset({"damaged", "destroyed", "stolen", "disposed"})
IN_TRANSIT = frozenset({"in_transit"})

#: CBV business transaction type -> identifier type.
BIZ_TRANSACTION_TYPES: dict[str, IdType] = {
    "po": IdType.order,
    "desadv": IdType.despatch_advice,
    "bol": IdType.tracking_number,
}

#: How CBV terms are written: bare, URN, GS1 web vocabulary (two hosts), or CURIE.
_SPELLINGS = (
    "urn:epcglobal:cbv:{urn}:",
    "https://ref.gs1.org/cbv/{web}-",
    "http://ref.gs1.org/cbv/{web}-",
    "https://gs1.org/voc/{web}-",
    "gs1:{web}-",
    "cbv:{web}-",
)


def _shortener(urn: str, web: str) -> tuple[str, ...]:
    return tuple(p.format(urn=urn, web=web) for p in _SPELLINGS)


_PREFIXES = {
    "bizstep": _shortener("bizstep", "BizStep"),
    "disp": _shortener("disp", "Disp"),
    "btt": _shortener("btt", "BTT"),
}


def cbv_term(value: str | None, kind: str) -> str:
    """``urn:epcglobal:cbv:bizstep:picking`` / ``https://ref.gs1.org/cbv/BizStep-picking``
    -> ``picking``; custom URIs are returned unchanged."""
    term = (value or "").strip()
    for prefix in _PREFIXES[kind]:
        if term.startswith(prefix):
            return term[len(prefix) :]
    return term
