"""A journey's stage follows the order's path by event time, whatever the arrival order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from streams.state import current_stage

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def ev(milestone: str, hours: float, *flags: str, partner: str = "p") -> dict[str, object]:
    return {"event_id": f"{milestone}{hours}", "milestone": milestone, "partner_id": partner,
            "occurred_at": T0 + timedelta(hours=hours), "quality_flags": list(flags)}  # fmt: skip


def test_a_late_in_transit_never_demotes_delivered() -> None:
    stage = current_stage([ev("order_placed", 0), ev("delivered", 30), ev("in_transit", 20)])
    assert stage is not None and (stage.milestone, stage.done) == ("delivered", True)


def test_an_exception_after_the_stage_marks_it_until_progress() -> None:
    events = [ev("order_placed", 0), ev("in_transit", 5), ev("exception", 6)]
    stage = current_stage(events)
    assert stage is not None and (stage.milestone, stage.overlay) == ("in_transit", "exception")
    stage = current_stage([*events, ev("out_for_delivery", 7)])
    assert stage is not None and (stage.milestone, stage.overlay) == ("out_for_delivery", "")


def test_a_retracted_report_does_not_count() -> None:
    stage = current_stage([ev("picked", 1), ev("handed_off", 2, "error_declaration")])
    assert stage is not None and stage.milestone == "picked"


def test_no_path_event_means_no_stage() -> None:
    assert current_stage([ev("exception", 1)]) is None


@given(st.permutations([ev("order_placed", 0), ev("picked", 2), ev("packed", 3),
                        ev("delayed", 3.5), ev("in_transit", 9), ev("delivered", 30),
                        ev("in_transit", 31)]))  # fmt: skip
def test_any_arrival_order_gives_the_same_stage(events: list[dict[str, object]]) -> None:
    stage = current_stage(events)
    assert stage is not None
    assert (stage.milestone, stage.since, stage.overlay) == (
        "delivered",
        T0 + timedelta(hours=30),
        "",
    )
