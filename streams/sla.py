"""SLA clocks, stuck journeys and silent partners, as a stream.

The engine watches every journey's progress (first time each path milestone was reached,
who holds the order) and keeps one clock per SLA stage. A clock is due at its deadline;
``tick(now)`` opens a breach for every due clock whose stage has not ended, whether or not
another event ever arrives. A breach resolves when the journey moves on. A partner that
holds open journeys and has said nothing for its silence period is silent (one alert for
the partner, plus a record per journey it holds); it resolves when the partner speaks.

Breaches of one partner, node and stage wait ``group_wait`` before they page; when
``rollup`` or more gather, they page as one incident. Alert ids are deterministic (one
per journey and rule), so re-delivery and restarts never duplicate an alert.

The clock is the caller's: wall-clock time live, event time (the latest ``occurred_at``
seen, minus an allowance for lateness) when replaying history, so a backfill finds the
same breaches as the live run did.

The engine also keeps each journey's stage facts (``StageFact``), the dashboards' latency
and SLA panels read them instead of re-deriving every journey's progress at query time:
one per consecutive path stage (``STAGES``) both of whose ends were reached, and one per
SLA stage once decided (ended, or breached unfinished), met or missed. A fact is
re-emitted, with a higher version, whenever it changes (an earlier report moves a
milestone, a breach opens); one whose time moved is also emitted deleted under its old
time, since that time is part of the table's key.
"""

from __future__ import annotations

import hashlib
import heapq
import time
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from seamscope.network import Network, SlaStage
from streams.sla_store import EPOCH, UNSET, US, Journey, JourneyStore, finished, micros
from streams.state import OVERLAYS, PATH_RANK, TERMINAL

#: Consecutive milestones of a journey whose time between is a stage (or a handoff, when
#: different partners report its two ends). The stage is attributed to the partner and
#: node that reported its end: they did the work in between.
STAGES: tuple[tuple[str, str], ...] = (
    ("order_placed", "picked"),
    ("picked", "packed"),
    ("packed", "handed_off"),
    ("handed_off", "picked_up"),
    ("picked_up", "delivered"),
)

AlertKind = Literal["sla_breach", "silent_hold", "partner_silent", "incident"]
AlertStatus = Literal["open", "escalated", "resolved"]


def alert_id(*parts: str) -> str:
    return "alr_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


@dataclass
class Alert:
    alert_id: str
    kind: AlertKind
    status: AlertStatus
    rule: str
    partner_id: str
    node_id: str
    journey_id: str = ""
    stage_start: str = ""  # the milestone the stage started with
    since: datetime | None = None  # when the stage started, or the partner last spoke
    deadline: datetime | None = None
    opened_at: datetime | None = None
    updated_at: datetime | None = None
    resolved_at: datetime | None = None
    last_milestone: str = ""
    last_event_at: datetime | None = None
    last_partner_id: str = ""
    incident_id: str = ""
    journeys: int = 0  # for incidents and silent partners: how many journeys
    paged: bool = False
    version: int = 0

    def copy(self) -> Alert:
        return Alert(**self.__dict__)

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        times = {"since", "deadline", "opened_at", "updated_at", "resolved_at", "last_event_at"}
        fields: dict[str, Any] = {
            k: (datetime.fromisoformat(v) if k in times and v else v)
            for k, v in data.items()
            if k in cls.__dataclass_fields__
        }
        return cls(**fields)


FactKind = Literal["latency", "sla"]


@dataclass(slots=True)  # not frozen: one or two are made per event, and frozen costs 3x
class StageFact:
    """One journey's stage, as the dashboards count it.

    ``latency``: a consecutive path stage (``STAGES``) both of whose milestones were
    reached; ``at`` is when it ended, ``started_at`` when it started, ``seconds`` between
    them, attributed to who reported its end (``handoff`` when another partner reported
    its start). ``sla``: an SLA stage decided: ended (``at`` when), or breached and not
    ended (``at`` its deadline); ``missed`` when a breach fired and it had not ended by the
    breach's deadline. It counts for the breach's holder, else for who reported its end.
    ``deadline`` is the breach's, for a stage that breached. ``deleted`` withdraws the
    fact filed under ``at`` (its time moved).
    """

    journey_id: str
    kind: FactKind
    stage: str
    stage_no: int
    at: datetime
    started_at: datetime
    from_partner: str = ""
    partner_id: str = ""
    node_id: str = ""
    ownership: str = ""
    handoff: bool = False
    seconds: int = 0
    ended: bool = False
    missed: bool = False
    promise: bool = False
    #: the marketplace gave a promised date for the journey (``sla`` facts)
    promised: bool = False
    deadline: datetime | None = None
    version: int = 0
    deleted: bool = False


#: The fewest wake-ups in the clock heap before superseded ones are dropped in bulk.
_MIN_COMPACT = 4096
#: Kinds of alert that nothing changes once resolved: a silence's hold on a journey, an
#: incident. (A resolved breach still tells its journey's clock the stage was breached.)
_SETTLED_WHEN_RESOLVED = frozenset({"silent_hold", "incident"})
#: The earliest time: an event clock's before it has seen an event.
_EARLIEST = datetime.min.replace(tzinfo=UTC)
#: Kinds of alert that escalate when open for longer than ``escalate_after``.
_ESCALATING = frozenset({"partner_silent", "incident", "sla_breach"})

#: What a fact says: ``StageFact``'s fields from ``at`` to ``deadline``, in order.
_Said = tuple[
    datetime, datetime, str, str, str, str, bool, int, bool, bool, bool, bool, datetime | None
]


def _seconds(start: datetime, end: datetime) -> int:
    """Whole seconds from ``start`` to ``end`` as ClickHouse's ``dateDiff('second')``
    counts them: second boundaries crossed."""
    return int(end.timestamp() // 1) - int(start.timestamp() // 1)


@dataclass(slots=True)  # not frozen: one is made per event, and frozen costs 3x
class Observation:
    """What the engine needs of an event, once its journeys are known."""

    journeys: tuple[str, ...]
    milestone: str
    occurred_at: datetime
    partner_id: str
    partner_type: str
    node_id: str
    promised_by: datetime | None = None
    #: When the pipeline heard it (ingestion time live; occurred_at when replaying history):
    #: silence is measured on this.
    heard_at: datetime | None = None
    #: The carrier a tracking number in the event belongs to (partner, node), so a label
    #: no carrier ever scans is still that carrier's to answer for.
    carrier: tuple[str, str] | None = None
    #: The node's ownership (owned | partner) as the event says; the network's otherwise.
    ownership: str = ""


class SlaEngine:
    def __init__(
        self,
        network: Network,
        hot_journeys: int | None = None,
        retention: timedelta | None = None,
    ) -> None:
        self.network = network
        self.sla = network.sla
        #: How long a finished journey (delivered, returned, cancelled) is kept after its
        #: last report, for late ones (None: for ever).
        self.retention = retention
        #: (when it may be forgotten, journey): finished journeys, the earliest first.
        self._finished: list[tuple[datetime, str]] = []
        self.forgotten = 0
        #: Open journeys' progress: the last ``hot_journeys`` touched as objects, the rest
        #: packed (see ``streams.sla_store``).
        self._journeys = JourneyStore(hot_journeys)
        #: (when, journey): each journey's earliest clock (entries a journey's later
        #: schedule superseded are skipped when they come up, and dropped in bulk when
        #: they outnumber the live ones).
        self._clocks: list[tuple[datetime, str]] = []
        self._compact_at = _MIN_COMPACT
        self._alerts: dict[str, Alert] = {}
        self._partner_last: dict[str, datetime] = {}
        self._holding: dict[str, set[str]] = defaultdict(set)  # partner -> open journeys
        self._pending_page: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        #: (when, alert id): open alerts that escalate, the earliest first; and each one's
        #: time (an alert stamped again is scheduled once). With the incidents whose
        #: members resolved since the last tick, a tick looks only at what is due to
        #: change, not at every open alert: there may be a hundred thousand stuck orders.
        self._escalate: list[tuple[datetime, str]] = []
        self._escalates_at: dict[str, datetime] = {}
        self._settling_incidents: set[str] = set()
        #: (journey, stage) -> its breach's alert id, so evaluating a journey hashes nothing
        self._breaches: dict[tuple[str, str], str] = {}
        self._calendars = {n.id: n.work_calendar for n in network.nodes}
        self._working_due: dict[tuple[str, datetime, timedelta], datetime] = {}
        self._incidents: dict[str, set[str]] = defaultdict(set)
        self._version = 0
        #: node -> ownership (owned | partner) for the stage facts: the network's; a node not
        #: in it learns its ownership from its events.
        self.ownership = {n.id: n.ownership.value for n in network.nodes}
        #: Stage facts that changed since ``take_facts()`` was last called.
        self.facts: list[StageFact] = []
        #: (kind, stage, stage number) of each fact index of a journey
        self._fact_names: list[tuple[FactKind, str, int]] = [
            *(("latency", f"{a} → {b}", no) for no, (a, b) in enumerate(STAGES, 1)),
            *(("sla", st.id, no) for no, st in enumerate(self.sla.stages, 1)),
        ]
        #: The SLA stages (by index) an event can move the clock of: those its milestone
        #: starts or ends, and those its kind of partner holds (their terms apply).
        self._stages_of: dict[str, set[int]] = defaultdict(set)
        self._held_by: dict[str, set[int]] = defaultdict(set)
        for index, st in enumerate(self.sla.stages):
            for m in {st.start, *st.end}:
                self._stages_of[m].add(index)
            self._held_by[st.holder].add(index)
        #: (milestone, partner type, names a carrier) -> the stages it can move: a few
        #: dozen combinations, asked on every event.
        self._moved: dict[tuple[str, str, bool], frozenset[int]] = {}
        #: The SLA stage id -> its fact index.
        self._sla_fact = {st.id: len(STAGES) + k for k, st in enumerate(self.sla.stages)}
        #: The fact indices a milestone's time is part of (a stage it starts or ends), so
        #: an event re-derives those facts only, not all of its journey's.
        self._facts_of: dict[str, list[int]] = defaultdict(list)
        for index, (a, b) in enumerate(STAGES):
            self._facts_of[a].append(index)
            self._facts_of[b].append(index)
        for milestone, stages in self._stages_of.items():
            self._facts_of[milestone].extend(len(STAGES) + k for k in sorted(stages))
        self._silent_ids: dict[str, str] = {}  # partner -> its silence alert's id
        #: partner -> the ids of the hold records its current silence opened, resolved
        #: together when it speaks (wherever those journeys went meanwhile).
        self._silent_holds: dict[str, list[str]] = defaultdict(list)
        #: While catching up on history, clocks are set but no breach opens: the events
        #: that end a stage may still be on their way.
        self.replaying = False
        #: Between ``defer()`` and ``evaluate_deferred()``: the journeys events moved, each
        #: with what to look at (all of it; else the clocks, None for all, and the facts).
        self._deferred: dict[str, tuple[bool, set[int] | None, set[int]]] | None = None

    def restore(self, alerts: Iterable[Alert]) -> None:
        """Alerts already raised (read back from the alerts topic after a restart)."""
        for a in alerts:
            known = self._alerts.get(a.alert_id)
            if known is None or a.version >= known.version:
                self._alerts[a.alert_id] = a.copy()
            self._version = max(self._version, a.version)
        for aid, a in list(self._alerts.items()):
            if a.status == "resolved" and a.kind in _SETTLED_WHEN_RESOLVED:
                del self._alerts[aid]  # nothing changes it again (see ``forget_settled``)
                continue
            if a.kind == "sla_breach":
                self._breaches[(a.journey_id, a.rule)] = aid
            self._index(a)
            if a.kind == "silent_hold" and a.partner_id:
                self._silent_holds[a.partner_id].append(aid)

    def forget_settled(self, now: datetime) -> int:
        """Once the history is replayed: drop the restored breaches, resolved longer than
        the retention ago, that no journey the clocks hold refers to (their journeys were
        finished and forgotten before the restart). Return how many were dropped."""
        if self.retention is None or now - _EARLIEST <= self.retention:
            return 0  # nothing can be older than the retention yet
        filed = {aid: key for key, aid in self._breaches.items()}
        cutoff = now - self.retention
        gone = [
            aid for aid, a in self._alerts.items()
            if a.kind == "sla_breach" and a.status == "resolved"
            and a.resolved_at is not None and a.resolved_at < cutoff
            and (aid not in filed or filed[aid][0] not in self._journeys)
        ]  # fmt: skip
        for aid in gone:
            if aid in filed:  # (under a journey that is not its own, after a merge)
                del self._breaches[filed[aid]]
            self._drop(aid)
        return len(gone)

    # -- input ---------------------------------------------------------------------
    def observe(self, obs: Observation, now: datetime) -> list[Alert]:
        """Fold one event into its journeys' progress; return alerts it resolves."""
        changed: list[Alert] = []
        heard = obs.heard_at or obs.occurred_at
        self._partner_last[obs.partner_id] = max(
            heard, self._partner_last.get(obs.partner_id, heard)
        )
        changed.extend(self._partner_spoke(obs.partner_id, heard, now))
        # Which of a journey's facts the event can change: all of them when the node's
        # ownership or the journey's promise changed, else those of the milestone.
        everything = False
        if obs.ownership and self.ownership.get(obs.node_id) != obs.ownership:
            self.ownership[obs.node_id] = obs.ownership
            everything = True
        # Only the clocks the event can move are looked at (any other is set already,
        # and ``tick`` opens its breach when due).
        clocks: frozenset[int] | None = None
        if not everything and obs.milestone != "order_cancelled":
            clocks = self._clocks_moved(obs.milestone, obs.partner_type, obs.carrier is not None)
        for jid in obs.journeys:
            j = self._journeys.enter(jid)
            if obs.milestone == "order_cancelled":
                j.cancelled = True
            whole = everything
            # (A marketplace repeats its promise on every update of the order: only a new
            # one moves the promise clock.)
            if obs.promised_by is not None and obs.promised_by != j.promise:
                j.promise = obs.promised_by
                whole = True
            moved = whole
            if obs.milestone in PATH_RANK:
                seen = j.reached.get(obs.milestone)
                if seen is None or obs.occurred_at < seen[0]:
                    j.reached[obs.milestone] = (obs.occurred_at, obs.partner_id, obs.node_id)
                    moved = True
            if obs.carrier and "carrier" not in j.holders:
                j.holders["carrier"] = (*obs.carrier, obs.occurred_at)
            if obs.milestone not in OVERLAYS:
                known = j.holders.get(obs.partner_type)
                first = min(known[2], obs.occurred_at) if known else obs.occurred_at
                j.holders[obs.partner_type] = (obs.partner_id, obs.node_id, first)
            if j.last is None or obs.occurred_at >= j.last[0]:
                j.last = (obs.occurred_at, obs.milestone, obs.partner_id, obs.node_id)
                self._hold(jid, j, obs.partner_id)
            if obs.milestone in TERMINAL:
                self._schedule_forget(jid, j)
            facts = self._facts_of.get(obs.milestone, ()) if moved else ()
            if self._deferred is None:
                changed.extend(self._moved_on(jid, j, now, whole, clocks, facts))
                continue
            pending = self._deferred.get(jid)
            if pending is None:
                self._deferred[jid] = (whole, None if clocks is None else set(clocks), set(facts))
            elif not pending[0]:
                if whole or clocks is None or pending[1] is None:
                    self._deferred[jid] = (whole, None, pending[2])
                else:
                    pending[1].update(clocks)
                pending[2].update(facts)
        if self._deferred is None:
            self._journeys.settle()
        return changed

    def _moved_on(
        self,
        jid: str,
        j: Journey,
        now: datetime,
        whole: bool,
        clocks: Collection[int] | None,
        facts: Iterable[int],
    ) -> list[Alert]:
        """Events moved the journey: set its clocks (all if ``whole``, else ``clocks``,
        None for all), re-derive its facts (all if ``whole``, else ``facts`` and those of
        the breaches that changed); return the alerts that changed."""
        evaluated = self._evaluate(jid, j, now, schedule=True, only=None if whole else clocks)
        if whole:
            self._refresh_facts(jid, j)
        else:
            touched = set(facts)
            touched.update(self._sla_fact[a.rule] for a in evaluated)
            if touched:
                self._refresh_facts(jid, j, touched)
        return evaluated

    def defer(self) -> None:
        """Until ``evaluate_deferred``, ``observe`` only folds events into their journeys'
        progress: a journey several events of a batch move is looked at once, at its end
        (the worker's batches are observed while ``replaying``: no breach opens in them
        either way, only ``tick`` opens one)."""
        if self._deferred is None:
            self._deferred = {}

    def evaluate_deferred(self, now: datetime) -> list[Alert]:
        """Set the clocks and facts of the journeys observed since ``defer``, as their events
        one by one would have, but for one thing: a stage's end reported after its deadline
        and an earlier end of it reported later in the batch raise no breach (one by one,
        the first would have raised one, already over); return the alerts that changed."""
        deferred, self._deferred = self._deferred, None
        changed: list[Alert] = []
        for jid, (whole, clocks, facts) in (deferred or {}).items():
            j = self._journeys.get(jid)
            if j is None:
                continue  # taken into another journey since, and evaluated whole then
            changed.extend(self._moved_on(jid, j, now, whole, clocks, facts))
        self._journeys.settle()
        return changed

    def _clocks_moved(self, milestone: str, partner_type: str, carrier: bool) -> frozenset[int]:
        """The SLA stages (by index) an event can move the clock of: those its milestone
        starts or ends, and those its kind of partner (and a carrier it names) holds."""
        asked = (milestone, partner_type, carrier)
        clocks = self._moved.get(asked)
        if clocks is None:
            found = set(self._stages_of.get(milestone, ()))
            if milestone not in OVERLAYS:
                found |= self._held_by.get(partner_type, set())
            if carrier:
                found |= self._held_by.get("carrier", set())
            clocks = self._moved[asked] = frozenset(found)
        return clocks

    def knows(self, journey_id: str) -> bool:
        """Whether the engine holds the journey's progress, or a breach filed under its id
        (one restored after a restart, of a journey merged into another before it)."""
        return journey_id in self._journeys or any(
            (journey_id, stage.id) in self._breaches for stage in self.sla.stages
        )

    def merge(self, alias: str, into: str, now: datetime) -> list[Alert]:
        """Journey ``alias`` became part of ``into`` (two ids found to name one order):
        fold its progress into ``into`` as if its events had been ``into``'s, withdraw its
        stage facts and file ``into``'s; return the alerts that changed."""
        if alias == into:
            return []
        a = self._journeys.pop(alias)
        if a is None:
            # No progress under ``alias``, only breaches: restored after a restart, whose
            # replay of history filed the alias's events under ``into`` (the rebuilt graph
            # knows the merge). They are ``into``'s, and end when its stages do.
            changed = self._refile_breaches(alias, into, now)
            target = self._journeys.get(into)
            if target is not None:
                changed.extend(self._took_in(into, target, now))
            return changed
        j = self._journeys.enter(into)
        for milestone, at in a.reached.items():
            seen = j.reached.get(milestone)
            if seen is None or at[0] < seen[0]:
                j.reached[milestone] = at
        for kind, held in a.holders.items():
            known = j.holders.get(kind)
            j.holders[kind] = held if known is None else (*known[:2], min(known[2], held[2]))
        j.promise = j.promise or a.promise
        j.cancelled = j.cancelled or a.cancelled
        if a.last is not None and (j.last is None or a.last[0] > j.last[0]):
            j.last = a.last
        if a.held_by:
            self._holding[a.held_by].discard(alias)
        if j.last is not None:
            self._hold(into, j, j.last[2])
        changed = self._refile_breaches(alias, into, now)
        if a.facts is not None:
            for index in range(len(a.facts) // 2):
                if a.facts[2 * index + 1] != UNSET:
                    self._version = max(self._version + 1, time.time_ns())
                    self.facts.append(self._withdrawal(alias, index, a.facts[2 * index + 1]))
        self._schedule_forget(into, j)
        changed.extend(self._took_in(into, j, now))
        return changed

    def _took_in(self, into: str, j: Journey, now: datetime) -> list[Alert]:
        """``into`` took in another journey's progress or breaches: its clocks and stage
        facts count them as its own from now on."""
        changed = self._evaluate(into, j, now, schedule=True)
        self._refresh_facts(into, j)
        self._journeys.settle()
        return changed

    def _refile_breaches(self, alias: str, into: str, now: datetime) -> list[Alert]:
        """File the breaches of ``alias`` under ``into``: they resolve when ``into`` moves
        on. One of a stage ``into`` has a breach of already is that same breach: closed."""
        changed: list[Alert] = []
        for stage in self.sla.stages:
            aid = self._breaches.pop((alias, stage.id), None)
            if aid is None:
                continue
            if (into, stage.id) not in self._breaches:
                self._breaches[(into, stage.id)] = aid
                continue
            changed.extend(self._close(aid, now))
        return changed

    def _hold(self, jid: str, j: Journey, partner: str) -> None:
        before = j.held_by
        if before == partner:
            return
        if before:
            self._holding[before].discard(jid)
        j.held_by = partner
        self._holding[partner].add(jid)

    # -- clocks --------------------------------------------------------------------
    def deadline(self, stage: SlaStage, j: Journey) -> datetime | None:
        start = j.reached.get(stage.start)
        if start is None:
            return None
        if stage.promise and j.promise is not None:
            return j.promise
        default = start[0] + stage.within
        holder = j.holders.get(stage.holder)
        # The holder's own terms apply once it is known; known only after the default
        # deadline, it is too late to move it (so live and backfill agree).
        if holder is None or holder[2] > default:
            return default
        partner, node, _ = holder
        within = self.sla.within(stage, partner, node)
        if stage.working_time and node in self._calendars:
            # A journey's deadline is asked for on each of its events: remembered, the
            # calendar walk is done once per stage start.
            memo = (node, start[0], within)
            due = self._working_due.get(memo)
            if due is None:
                if len(self._working_due) >= 100_000:
                    self._working_due.clear()
                due = self._working_due[memo] = self._calendars[node].add_working_time(
                    start[0], within
                )
            return due
        return start[0] + within

    def _evaluate(
        self,
        jid: str,
        j: Journey,
        now: datetime,
        schedule: bool,
        only: Collection[int] | None = None,
    ) -> list[Alert]:
        """Set the journey's clocks (of the stages ``only``, else all), resolve the breaches
        of stages that ended, open those due."""
        changed = []
        wake = j.wake
        for index, stage in enumerate(self.sla.stages):
            if only is not None and index not in only:
                continue
            aid = self._breaches.get((jid, stage.id))
            alert = self._alerts[aid] if aid else None
            # Milestones are str enums: they look up the str keys directly (no ``.value``,
            # an enum descriptor call, on this hot path).
            ends = [j.reached[m][0] for m in stage.end if m in j.reached]
            ended = bool(ends)
            due = self.deadline(stage, j)
            if due is None:
                continue
            if ended or j.cancelled:
                if alert and alert.status != "resolved":
                    changed.append(self._resolve(alert, now))
                elif alert is None and ended and min(ends) > due and not j.cancelled:
                    # Ended after its deadline, learned late (a backfill, or reports that
                    # arrived after the fact): a breach all the same, already over.
                    late = self._open_breach(jid, j, stage, due, now, page=False)
                    changed.append(self._resolve(self._alerts[late.alert_id], now))
                continue
            if now > due and not self.replaying:
                if alert is None:  # (one resolved stays so: it was forgotten, or merged)
                    changed.append(self._open_breach(jid, j, stage, due, now))
            elif schedule and (wake is None or due < wake):
                wake = due
        if wake is not None and wake is not j.wake:  # an earlier clock: wake the journey then
            j.wake = wake
            heapq.heappush(self._clocks, (wake, jid))
            if len(self._clocks) > self._compact_at:
                self._compact_clocks()
        return changed

    def _compact_clocks(self) -> None:
        """Drop the wake-ups later schedules superseded (each journey schedules up to a
        few as it moves): the heap keeps one per journey, not one per event."""
        live: list[tuple[datetime, str]] = []
        kept: set[str] = set()
        for wake, jid in self._clocks:
            if jid not in kept and self._journeys.wake(jid) == wake:
                kept.add(jid)
                live.append((wake, jid))
        heapq.heapify(live)
        self._clocks = live
        self._compact_at = max(_MIN_COMPACT, len(live) * 3 // 2)

    def tick(self, now: datetime) -> list[Alert]:
        """Everything due by ``now``: breaches, silences, escalations, pages."""
        changed: list[Alert] = []
        due: list[str] = []
        while self._clocks and self._clocks[0][0] < now:
            wake, jid = heapq.heappop(self._clocks)
            if self._journeys.wake(jid) == wake:  # (else superseded, or the journey gone)
                due.append(jid)
        for jid in dict.fromkeys(due):  # every clock of the journey: breaches, next wake-up
            j = self._journeys.get(jid)
            if j is None:
                continue
            j.wake = None
            evaluated = self._evaluate(jid, j, now, schedule=True)
            if evaluated:
                self._refresh_facts(jid, j, {self._sla_fact[a.rule] for a in evaluated})
            changed.extend(evaluated)
        changed.extend(self._forget_finished(now))
        changed.extend(self._silences(now))
        changed.extend(self._escalations(now))
        changed.extend(self._pages(now))
        changed.extend(self._incident_resolutions(now))
        self._journeys.settle()
        return changed

    # -- stage facts ---------------------------------------------------------------
    def take_facts(self) -> list[StageFact]:
        """The stage facts that changed since the last call (to publish)."""
        facts, self.facts = self.facts, []
        return facts

    def stage_facts(self, journey_id: str) -> list[StageFact]:
        """The journey's stage facts as they stand now (versions not set)."""
        j = self._journeys.peek(journey_id)
        if j is None:
            return []
        return [
            self._fact(journey_id, i, said, 0)
            for i, said in enumerate(self._derive(journey_id, j))
            if said is not None
        ]

    def _fact(
        self, jid: str, index: int, said: _Said, version: int, deleted: bool = False
    ) -> StageFact:
        kind, stage, no = self._fact_names[index]
        return StageFact(jid, kind, stage, no, *said, version=version, deleted=deleted)

    def _derive(self, jid: str, j: Journey) -> list[_Said | None]:
        """What each of the journey's facts says now (``StageFact`` fields from ``at`` to
        ``deadline``), by index: the latency stages, then the SLA stages."""
        return [self._said(jid, j, index) for index in range(len(self._fact_names))]

    def _said(self, jid: str, j: Journey, index: int) -> _Said | None:
        """What the journey's fact ``index`` says now. A tuple, not a fact: this runs
        whenever a journey moves, a fact is made only when one changed."""
        if index >= len(STAGES):
            stage = self.sla.stages[index - len(STAGES)]
            return self._outcome(j, stage, self._breaches.get((jid, stage.id), ""))
        a, b = STAGES[index]
        start, end = j.reached.get(a), j.reached.get(b)
        if start is None or end is None:
            return None
        return (
            end[0], start[0], start[1], end[1], end[2], self.ownership.get(end[2], ""),
            start[1] != end[1], _seconds(start[0], end[0]), False, False, False, False, None,
        )  # fmt: skip

    def _outcome(self, j: Journey, stage: SlaStage, aid: str) -> _Said | None:
        start = j.reached.get(stage.start)
        if start is None:
            return None
        ends = [j.reached[m] for m in stage.end if m in j.reached]
        finish = min(ends) if ends else None
        breach = self._alerts[aid] if aid else None
        if breach is not None and breach.deadline is not None:
            missed = finish is None or finish[0] > breach.deadline
            at = finish[0] if finish else breach.deadline
            if breach.partner_id:
                partner, node = breach.partner_id, breach.node_id
            else:
                partner, node = (finish[1], finish[2]) if finish else ("", "")
            deadline: datetime | None = breach.deadline
        elif finish is not None:  # met: no deadline to record (none computed, it costs)
            missed, at, partner, node, deadline = False, finish[0], finish[1], finish[2], None
        else:
            return None
        return (
            at, start[0], start[1], partner, node, self.ownership.get(node, ""), False,
            _seconds(start[0], at), finish is not None, missed, stage.promise,
            j.promise is not None, deadline,
        )  # fmt: skip

    def _refresh_facts(self, jid: str, j: Journey, only: Iterable[int] | None = None) -> None:
        """Emit the journey's facts that changed (of those ``only``, else all); withdraw
        the ones whose time moved."""
        memo = j.facts
        for index in range(len(self._fact_names)) if only is None else sorted(only):
            said = self._said(jid, j, index)
            if said is None:
                continue  # (facts only appear: milestones are never un-reached)
            if memo is None:
                memo = j.facts = array("q", [0, UNSET] * len(self._fact_names))
            said_hash, at_before = hash(said), memo[2 * index + 1]
            if at_before != UNSET and memo[2 * index] == said_hash:
                continue
            said_at = micros(said[0])
            self._version = max(self._version + 1, time.time_ns())
            if at_before not in (UNSET, said_at):
                self.facts.append(self._withdrawal(jid, index, at_before))
            self.facts.append(self._fact(jid, index, said, self._version))
            memo[2 * index], memo[2 * index + 1] = said_hash, said_at

    def _withdrawal(self, jid: str, index: int, at_micros: int) -> StageFact:
        """A fact that withdraws the one filed under ``at``: the table's key is all it
        needs (kind, time, journey, stage); the newest version, deleted, wins."""
        kind, stage, no = self._fact_names[index]
        at = EPOCH + at_micros * US
        return StageFact(jid, kind, stage, no, at, at, version=self._version, deleted=True)

    # -- alerts --------------------------------------------------------------------
    def _stamp(self, alert: Alert, now: datetime) -> Alert:
        # Versions only grow, across restarts too: the newest state of an alert wins.
        self._version = max(self._version + 1, time.time_ns())
        alert.version = self._version
        alert.updated_at = now
        self._index(alert)
        return alert.copy()

    def _index(self, alert: Alert) -> None:
        aid = alert.alert_id
        if alert.status == "open" and alert.kind in _ESCALATING and alert.opened_at:
            due = alert.opened_at + self.sla.escalate_after
            if self._escalates_at.get(aid) != due:
                self._escalates_at[aid] = due
                heapq.heappush(self._escalate, (due, aid))
        if alert.incident_id and alert.kind == "sla_breach":
            self._incidents[alert.incident_id].add(aid)
            if alert.status == "resolved":
                self._settling_incidents.add(alert.incident_id)

    def _open_breach(
        self,
        jid: str,
        j: Journey,
        stage: SlaStage,
        due: datetime,
        now: datetime,
        page: bool = True,
    ) -> Alert:
        partner, node, _ = j.holders.get(stage.holder.value, ("", "", due))
        if not partner and j.last:  # nobody of that kind has spoken: the last holder has it
            partner, node = j.last[2], j.last[3]
        start = j.reached[stage.start.value]
        alert = Alert(
            alert_id=alert_id("sla", jid, stage.id), kind="sla_breach", status="open",
            rule=stage.id, partner_id=partner, node_id=node, journey_id=jid,
            stage_start=stage.start.value, since=start[0], deadline=due, opened_at=now,
            last_milestone=j.last[1] if j.last else "", last_event_at=j.last[0] if j.last else None,
            last_partner_id=j.last[2] if j.last else "",
        )  # fmt: skip
        self._alerts[alert.alert_id] = alert
        self._breaches[(jid, stage.id)] = alert.alert_id
        if page:
            self._pending_page[(partner, node, stage.id)].append(alert.alert_id)
            return self._stamp(alert, now)
        return alert

    def _resolve(self, alert: Alert, now: datetime) -> Alert:
        alert.status = "resolved"
        alert.resolved_at = now
        return self._stamp(alert, now)

    def _close(self, aid: str, now: datetime) -> list[Alert]:
        """Resolve the alert if it is still open, then drop it: nothing changes it again."""
        alert = self._alerts.get(aid)
        changed = [self._resolve(alert, now)] if alert and alert.status != "resolved" else []
        self._drop(aid)
        return changed

    def _drop(self, aid: str) -> None:
        """Forget an alert nothing will change again (its last state is published)."""
        alert = self._alerts.pop(aid, None)
        self._escalates_at.pop(aid, None)
        if alert is None:
            return
        key = (alert.journey_id, alert.rule)
        if alert.kind == "sla_breach" and self._breaches.get(key) == aid:
            del self._breaches[key]
        members = self._incidents.get(alert.incident_id)
        if members is not None:  # no longer a member: a new alert may reuse its id
            members.discard(aid)
            self._settling_incidents.add(alert.incident_id)

    def _incident_resolutions(self, now: datetime) -> list[Alert]:
        """An incident resolves when every journey in it has moved on."""
        changed = []
        settling, self._settling_incidents = self._settling_incidents, set()
        for iid in sorted(settling):
            members = self._incidents.get(iid)
            if members is None or any(self._status(a) != "resolved" for a in members):
                continue
            incident = self._alerts.get(iid)
            if incident and incident.status != "resolved":
                changed.append(self._resolve(incident, now))
            del self._incidents[iid]
            self._drop(iid)
        return changed

    def _status(self, aid: str) -> str:
        """An alert's status; one dropped (its journey forgotten) was resolved first."""
        alert = self._alerts.get(aid)
        return alert.status if alert else "resolved"

    def _silences(self, now: datetime) -> list[Alert]:
        changed: list[Alert] = []
        if self.replaying:
            return changed
        for partner, journeys in self._holding.items():
            last = self._partner_last.get(partner)
            limit = self.sla.silence_overrides.get(partner, self.sla.silence)
            if last is None or now - last <= limit:
                continue  # (asked first: listing what a partner holds costs per journey)
            aid = self._silent_id(partner)
            alert = self._alerts.get(aid)
            if alert and alert.status != "resolved":
                continue
            open_journeys = {
                jid: report for jid in journeys if (report := self._journeys.last_if_open(jid))
            }
            if not open_journeys:
                continue
            node = self.network.partner(partner).node
            alert = Alert(
                alert_id=aid, kind="partner_silent", status="open", rule="silence",
                partner_id=partner, node_id=node, since=last, deadline=last + limit,
                opened_at=now, journeys=len(open_journeys), paged=True,
            )  # fmt: skip
            self._alerts[aid] = alert
            changed.append(self._stamp(alert, now))
            for jid, (last_at, last_milestone, *_) in sorted(open_journeys.items()):
                hold = Alert(
                    alert_id=alert_id("silent", partner, jid), kind="silent_hold",
                    status="open", rule="silence", partner_id=partner, node_id=node,
                    journey_id=jid, since=last, deadline=last + limit, opened_at=now,
                    incident_id=aid, last_milestone=last_milestone, last_event_at=last_at,
                    last_partner_id=partner, paged=True,
                )  # fmt: skip
                self._alerts[hold.alert_id] = hold
                self._silent_holds[partner].append(hold.alert_id)
                changed.append(self._stamp(hold, now))
        return changed

    def _silent_id(self, partner: str) -> str:
        """The id of the partner's silence alert (asked on every event: remembered)."""
        aid = self._silent_ids.get(partner)
        if aid is None:
            aid = self._silent_ids[partner] = alert_id("silent", partner)
        return aid

    def _partner_spoke(self, partner: str, heard: datetime, now: datetime) -> list[Alert]:
        alert = self._alerts.get(self._silent_id(partner))
        if alert is None or alert.status == "resolved":
            return []
        if alert.since is not None and heard <= alert.since:
            return []  # heard before it fell silent (history replayed after a restart)
        changed = [self._resolve(alert, now)]
        # Every hold the silence opened, also of journeys another partner has moved on
        # since: the partner is heard again, so none of them waits on it any more.
        for aid in sorted(self._silent_holds.pop(partner, ())):
            changed.extend(self._close(aid, now))
        return changed

    # -- expiry --------------------------------------------------------------------
    def _schedule_forget(self, jid: str, j: Journey) -> None:
        if self.retention is not None and j.last is not None and finished(j):
            heapq.heappush(self._finished, (j.last[0] + self.retention, jid))

    def _forget_finished(self, now: datetime) -> list[Alert]:
        """Forget journeys finished, and not reported on since, longer than the retention
        ago, with their breaches: one still open (a stage whose end was never reported)
        is resolved, as nothing can end it now. A report arriving later starts the
        journey's progress afresh."""
        assert self.retention is not None or not self._finished
        changed: list[Alert] = []
        while self._finished and self._finished[0][0] < now:
            _, jid = heapq.heappop(self._finished)
            j = self._journeys.peek(jid)
            if j is None or j.last is None or not finished(j):
                continue  # (gone, or went on: its next end schedules it again)
            if self.retention is not None and j.last[0] + self.retention >= now:
                self._schedule_forget(jid, j)  # reported on since: a retention after that
                continue
            self._journeys.pop(jid)
            if j.held_by:
                self._holding[j.held_by].discard(jid)
            for stage in self.sla.stages:
                aid = self._breaches.pop((jid, stage.id), None)
                if aid is not None:
                    changed.extend(self._close(aid, now))
            self.forgotten += 1
        return changed

    def _escalations(self, now: datetime) -> list[Alert]:
        """Open alerts opened longer than ``escalate_after`` ago escalate."""
        changed = []
        while self._escalate and self._escalate[0][0] < now:
            due, aid = heapq.heappop(self._escalate)
            if self._escalates_at.get(aid) != due:
                continue  # re-opened since (a later time), or dropped
            del self._escalates_at[aid]
            alert = self._alerts.get(aid)
            if alert is not None and alert.status == "open":
                alert.status = "escalated"
                changed.append(self._stamp(alert, now))
        return changed

    def _pages(self, now: datetime) -> list[Alert]:
        """Breaches that waited ``group_wait``: one incident for many, else each alone."""
        changed = []
        for group, ids in list(self._pending_page.items()):
            alerts = [self._alerts[a] for a in ids if self._status(a) != "resolved"]
            if not alerts:
                del self._pending_page[group]
                continue
            first = min(a.opened_at for a in alerts if a.opened_at)
            if now - first < self.sla.group_wait:
                continue
            del self._pending_page[group]
            partner, node, rule = group
            if len(alerts) >= self.sla.rollup:
                iid = alert_id("incident", partner, node, rule, first.isoformat())
                incident = Alert(
                    alert_id=iid, kind="incident", status="open", rule=rule,
                    partner_id=partner, node_id=node, since=first, opened_at=now,
                    journeys=len(alerts), paged=True,
                )  # fmt: skip
                self._alerts[iid] = incident
                changed.append(self._stamp(incident, now))
                for a in alerts:
                    a.incident_id = iid
                    changed.append(self._stamp(a, now))
            else:
                for a in alerts:
                    a.paged = True
                    changed.append(self._stamp(a, now))
        return changed

    # -- views ---------------------------------------------------------------------
    def deadlines(self, journey_id: str) -> dict[str, datetime]:
        """Stage id -> the deadline of each stage the journey has started."""
        j = self._journeys.peek(journey_id)
        if j is None:
            return {}
        due = {stage.id: self.deadline(stage, j) for stage in self.sla.stages}
        return {stage: at for stage, at in due.items() if at is not None}

    @property
    def open_journeys(self) -> int:
        return len(self._journeys)

    @property
    def packed_journeys(self) -> int:
        """Open journeys kept packed (touched longest ago; see ``streams.sla_store``)."""
        return self._journeys.packed

    @property
    def alerts_held(self) -> int:
        """Alerts in memory: open ones, and resolved ones something may still change."""
        return len(self._alerts)

    def alerts(self, statuses: Iterable[str] = ("open", "escalated")) -> list[Alert]:
        wanted = set(statuses)
        return [a.copy() for a in self._alerts.values() if a.status in wanted]
