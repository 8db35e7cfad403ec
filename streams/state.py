"""Where a journey stands, by event time and the order's path, not by arrival order.

Path milestones have a rank; a journey's stage is the furthest one reached (ties go to
the later ``occurred_at``), so a late ``in_transit`` never demotes a ``delivered``.
Exceptions, holds and delays are overlays: they mark the journey while nothing on the
path has happened after them. Reports retracted by the partner (EPCIS error
declarations) do not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas.canonical import Milestone

M = Milestone
PATH_RANK: dict[str, int] = {
    m.value: i
    for i, m in enumerate(
        [
            M.order_placed, M.order_confirmed, M.released_to_warehouse, M.picked, M.packed,
            M.label_created, M.handed_off, M.picked_up, M.in_transit, M.out_for_delivery,
            M.delivery_failed, M.ready_for_pickup, M.delivered, M.returned_to_sender,
            M.return_received, M.order_cancelled,
        ]
    )
}  # fmt: skip
OVERLAYS = frozenset({M.on_hold.value, M.delayed.value, M.exception.value})
TERMINAL = frozenset({M.delivered.value, M.order_cancelled.value, M.return_received.value})
RETRACTED_FLAG = "error_declaration"


@dataclass(frozen=True)
class Stage:
    milestone: str
    since: datetime
    partner_id: str
    overlay: str = ""  # on_hold / delayed / exception reported after the stage was reached

    @property
    def done(self) -> bool:
        return self.milestone in TERMINAL and not self.overlay


def current_stage(events: Iterable[Mapping[str, Any]]) -> Stage | None:
    """The stage a journey is at, from its events (dicts with milestone, occurred_at, ...)."""
    best: tuple[int, datetime, str] | None = None
    best_event: Mapping[str, Any] | None = None
    overlays: list[Mapping[str, Any]] = []
    for e in events:
        if RETRACTED_FLAG in (e.get("quality_flags") or ()):
            continue
        milestone = e["milestone"]
        if milestone in OVERLAYS:
            overlays.append(e)
            continue
        rank = PATH_RANK.get(milestone)
        if rank is None:
            continue
        candidate = (rank, e["occurred_at"], e.get("event_id", ""))
        if best is None or candidate > best:
            best, best_event = candidate, e
    if best_event is None:
        return None
    since = best_event["occurred_at"]
    later = [o for o in overlays if o["occurred_at"] > since]
    overlay = max(later, key=lambda o: o["occurred_at"])["milestone"] if later else ""
    return Stage(best_event["milestone"], since, best_event["partner_id"], overlay)
