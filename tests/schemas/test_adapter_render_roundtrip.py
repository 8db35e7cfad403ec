"""Every format's renderer speaks its own adapter's language.

For each format and each milestone it renders, normalizing the rendered payloads gives
events with that milestone, at that moment, carrying the identifiers stitching relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from schemas.adapters import FORMATS, get_format
from schemas.adapters.amazon_sp_api.render import amazon_order_id, amazon_shipment_id
from schemas.adapters.base import PartnerContext, RawMessage
from schemas.adapters.shipstation.render import is_ambiguous as shipstation_ambiguous
from schemas.adapters.simulation import PROMISED_WITHIN, SimItem, SimOrder
from schemas.adapters.walmart.render import purchase_order_id
from schemas.canonical import IdType, JourneyEvent, Milestone, PartnerType

ORDER = SimOrder(
    order_number="104518",
    marketplace_order_id="5830114066625",
    fulfillment_id="4921837781184",
    sscc="340123450000001236",
    tracking_number="1Z999AA10123456784",
    carrier="ups",
    warehouse_gln="4012345000016",
    retailer_gln="0614141000005",
    items=(
        SimItem(sku="MUG-STONE", gtin="04012345111118", title="Stoneware mug", quantity=2,
                price="14.50"),
        SimItem(sku="TEE-NAVY-M", gtin="04012345222221", title="Organic tee", quantity=1,
                price="32.45"),
    ),
    email="maria.lopez@example.net",
)  # fmt: skip
FEDEX_ORDER = SimOrder(
    **{**ORDER.__dict__, "carrier": "fedex", "tracking_number": "794612345670"},
)
#: An SSCC whose check digit is wrong: rendered as a Digital Link so it still round-trips.
ODD_SSCC_ORDER = SimOrder(**{**ORDER.__dict__, "sscc": "340123450000001230"})
AT = datetime(2025, 3, 5, 14, 30, 15, tzinfo=UTC)


Ids = set[tuple[IdType, str, str]]


def _shopify(order: SimOrder, milestone: Milestone, partner: str) -> Ids:
    if milestone in (Milestone.order_placed, Milestone.order_cancelled):
        return {
            (IdType.order, order.order_number, ""),
            (IdType.marketplace_order, order.marketplace_order_id, partner),
        }
    ids = {
        (IdType.marketplace_order, order.marketplace_order_id, partner),
        (IdType.fulfillment, order.fulfillment_id, partner),
    }
    if milestone is Milestone.label_created:
        ids.add((IdType.tracking_number, order.tracking_number, order.carrier))
    return ids


def _epcis(order: SimOrder, milestone: Milestone, partner: str) -> Ids:
    ids = {(IdType.order, order.order_number, "")}
    if milestone in (Milestone.packed, Milestone.handed_off):
        ids.add((IdType.sscc, order.sscc, ""))
    if milestone is Milestone.handed_off:
        ids.add((IdType.tracking_number, order.tracking_number, ""))
    return ids


def _amazon(order: SimOrder, milestone: Milestone, partner: str) -> Ids:
    amazon = (IdType.marketplace_order, amazon_order_id(order), partner)
    if milestone is Milestone.order_placed:
        return {(IdType.order, order.order_number, ""), amazon}
    if milestone is Milestone.label_created:
        return {
            (IdType.order, order.order_number, ""),
            (IdType.fulfillment_order, order.order_number, partner),
            (IdType.shipment, amazon_shipment_id(order), partner),
            (IdType.package, f"{amazon_shipment_id(order)}/1", partner),
            (IdType.tracking_number, order.tracking_number, ""),
        }
    return {amazon}


def _order_and_own_id(
    own_id: Callable[[SimOrder], str],
) -> Callable[[SimOrder, Milestone, str], Ids]:
    """Marketplaces reporting the order number and their own id, tracking once labelled."""

    def expected(order: SimOrder, milestone: Milestone, partner: str) -> Ids:
        ids = {
            (IdType.order, order.order_number, ""),
            (IdType.marketplace_order, own_id(order), partner),
        }
        if milestone is Milestone.label_created:
            ids.add((IdType.tracking_number, order.tracking_number, ""))
        return ids

    return expected


def _order_and_tracking(order: SimOrder, milestone: Milestone, partner: str) -> Ids:
    """3PLs: the retailer's order number, and once shipped the tracking number."""
    ids = {(IdType.order, order.order_number, "")}
    if milestone is Milestone.handed_off:
        ids.add((IdType.tracking_number, order.tracking_number, ""))
    return ids


#: Per format: the (type, value, issuer) each rendered event must carry ("" = any issuer).
#: Carrier formats not listed carry the tracking number issued by the partner's carrier.
EXPECTED: dict[str, Callable[[SimOrder, Milestone, str], Ids]] = {
    "shopify": _shopify,
    "epcis": _epcis,
    "amazon_sp_api": _amazon,
    "woocommerce": _order_and_own_id(lambda o: o.marketplace_order_id),
    "walmart": _order_and_own_id(purchase_order_id),
    "shiphero": _order_and_tracking,
    "shipbob": _order_and_tracking,
    "shipstation": _order_and_tracking,
    # An aggregator: the number is the real carrier's.
    "easypost": lambda o, m, p: {(IdType.tracking_number, o.tracking_number, o.carrier)},
}


def expected_identifiers(
    fmt: str, order: SimOrder, milestone: Milestone, ctx: PartnerContext
) -> Ids:
    """(type, value, issuer) each event must carry; issuer "" means "not checked"."""
    if fmt in EXPECTED:
        return EXPECTED[fmt](order, milestone, ctx.partner_id)
    assert ctx.partner_type is PartnerType.carrier, f"{fmt}: add its expected identifiers"
    return {(IdType.tracking_number, order.tracking_number, ctx.carrier)}


def normalize_rendered(
    fmt: str, order: SimOrder, milestone: Milestone, at: datetime, ctx: PartnerContext
) -> list[JourneyEvent]:
    spec = get_format(fmt)
    payloads = spec.renderer.render(order, milestone, at)
    assert payloads, f"{fmt} renders nothing for {milestone}"
    events = []
    for payload in payloads:
        raw = RawMessage(value=payload.value, headers=payload.headers)
        result = spec.adapter.normalize(raw, ctx, at + timedelta(minutes=1))
        assert result.problems == []
        events += result.events
    return events


def _cases() -> list[object]:
    return [
        pytest.param(fmt, m, id=f"{fmt}-{m.value}")
        for fmt, spec in FORMATS.items()
        for m in sorted(spec.renderer.milestones)
    ]


def _order_for(fmt: str) -> SimOrder:
    return FEDEX_ORDER if fmt == "fedex" else ORDER


@pytest.mark.parametrize(("fmt", "milestone"), _cases())
def test_render_round_trip(
    fmt: str, milestone: Milestone, contexts: dict[str, PartnerContext]
) -> None:
    ctx, order = contexts[fmt], _order_for(fmt)
    events = normalize_rendered(fmt, order, milestone, AT, ctx)
    assert events
    want = expected_identifiers(fmt, order, milestone, ctx)
    for event in events:
        assert event.milestone is milestone
        assert event.occurred_at == AT
        have = {(i.type, i.value, i.issuer) for i in event.identifiers}
        have_unchecked = {(t, v, "") for t, v, _ in have}
        for ident in want:
            assert ident in (have if ident[2] else have_unchecked), (ident, have)
    again = normalize_rendered(fmt, order, milestone, AT, ctx)
    assert [e.event_id for e in again] == [e.event_id for e in events]


@pytest.mark.parametrize("fmt", ["amazon_sp_api", "walmart"])
def test_simulated_marketplace_orders_state_their_delivery_promise(
    fmt: str, contexts: dict[str, PartnerContext]
) -> None:
    """The demo's Amazon and Walmart orders promise delivery as the real APIs do, so the
    promise stage runs to a promised date and not only to the configured fallback."""
    order = _order_for(fmt)
    (placed,) = normalize_rendered(fmt, order, Milestone.order_placed, AT, contexts[fmt])
    assert placed.promised_by == AT + PROMISED_WITHIN


def test_every_format_renders_something() -> None:
    assert {"shopify", "epcis", "ups", "fedex"} <= set(FORMATS)
    for spec in FORMATS.values():
        assert spec.renderer.milestones
        assert spec.adapter.format == spec.name


def test_render_outside_milestones_gives_nothing() -> None:
    for spec in FORMATS.values():
        for milestone in set(Milestone) - spec.renderer.milestones:
            assert spec.renderer.render(ORDER, milestone, AT) == []


def test_epcis_sscc_without_valid_check_digit_round_trips(
    contexts: dict[str, PartnerContext],
) -> None:
    events = normalize_rendered("epcis", ODD_SSCC_ORDER, Milestone.packed, AT, contexts["epcis"])
    assert (IdType.sscc, ODD_SSCC_ORDER.sscc) in {
        (i.type, i.value) for e in events for i in e.identifiers
    }


def test_get_format_names_known_formats() -> None:
    with pytest.raises(KeyError, match=r"known formats: .*epcis, fedex, .*shopify, .*ups"):
        get_format("telex")


@settings(max_examples=60, deadline=None)
@given(
    fmt=st.sampled_from(sorted(FORMATS)),
    at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0)),
    data=st.data(),
)
def test_render_round_trip_any_time(
    fmt: str, at: datetime, data: st.DataObject, contexts: dict[str, PartnerContext]
) -> None:
    milestone = data.draw(st.sampled_from(sorted(FORMATS[fmt].renderer.milestones)))
    # ShipStation writes Pacific wall-clock time: the hour repeated at fall-back is ambiguous.
    assume(fmt != "shipstation" or not shipstation_ambiguous(at))
    for event in normalize_rendered(fmt, _order_for(fmt), milestone, at, contexts[fmt]):
        assert event.milestone is milestone
        assert event.occurred_at == at


#: What the simulator asks each kind of partner to report (streams/simulate.py's path).
SIMULATED_STEPS = {
    PartnerType.marketplace: {Milestone.order_placed, Milestone.label_created},
    PartnerType.warehouse: {Milestone.handed_off},
    PartnerType.carrier: {
        Milestone.picked_up,
        Milestone.in_transit,
        Milestone.out_for_delivery,
        Milestone.delivered,
    },
}


def test_every_format_renders_the_steps_its_kind_of_partner_reports(
    contexts: dict[str, PartnerContext],
) -> None:
    """Marketplaces place and label, warehouses ship, carriers carry to the door: so a
    simulated journey stitches (order number, marketplace id, tracking number) whichever
    partners the network routes it through."""
    for fmt, spec in FORMATS.items():
        kind = contexts[fmt].partner_type
        assert SIMULATED_STEPS[kind] <= spec.renderer.milestones, fmt
