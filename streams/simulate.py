"""The simulator: realistic traffic for N orders, in each partner's own format.

Every order is placed on a marketplace, picked, packed and handed off by a warehouse
(owned or 3PL), labelled on the marketplace, and carried by a carrier to delivery. Each
step is rendered by the format module of the partner that reports it and published to
that partner's raw topic, with the transport headers the partner would send.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from schemas.adapters import FORMATS
from schemas.adapters.base import RawMessage
from schemas.adapters.simulation import SimItem, SimOrder
from schemas.canonical import Milestone, PartnerType
from seamscope.network import Network, Partner
from streams.topics import raw_topic

log = logging.getLogger(__name__)

#: (step, who reports it, hours after the previous step: low, high), in path order.
PATH: tuple[tuple[Milestone, PartnerType, float, float], ...] = (
    (Milestone.order_placed, PartnerType.marketplace, 0.0, 0.0),
    (Milestone.picked, PartnerType.warehouse, 0.3, 6.0),
    (Milestone.packed, PartnerType.warehouse, 0.1, 0.5),
    (Milestone.label_created, PartnerType.marketplace, 0.05, 0.2),
    (Milestone.handed_off, PartnerType.warehouse, 0.5, 4.0),
    (Milestone.picked_up, PartnerType.carrier, 0.2, 2.0),
    (Milestone.in_transit, PartnerType.carrier, 2.0, 10.0),
    (Milestone.out_for_delivery, PartnerType.carrier, 10.0, 40.0),
    (Milestone.delivered, PartnerType.carrier, 1.0, 6.0),
)

_PRODUCTS = (
    ("Aviator sunglasses", "89.99"), ("Merino crew sock 3-pack", "24.00"),
    ("Trail running shoe", "129.00"), ("Insulated bottle 750ml", "34.50"),
    ("Canvas weekender bag", "149.00"), ("Cotton tee", "19.99"),
)  # fmt: skip


@dataclass(frozen=True)
class Disorder:
    """How far the simulated world strays from the happy path."""

    duplicate_rate: float = 0.05  # payloads delivered twice
    split_rate: float = 0.25  # orders shipped in several packages
    relabel_rate: float = 0.05  # packages given a new tracking number
    cancel_rate: float = 0.03  # orders cancelled after placement
    skew_minutes: float = 5.0  # each partner's clock is off by up to this much


@dataclass(frozen=True)
class Step:
    at: datetime
    partner: Partner
    order: SimOrder
    milestone: Milestone

    def __lt__(self, other: Step) -> bool:
        return (self.at, self.order.order_number) < (other.at, other.order.order_number)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.digits, k=n))


def tracking_number(rng: random.Random, carrier: str) -> str:
    if carrier == "ups":
        return "1Z" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=16))
    return _digits(rng, 12)


def make_order(rng: random.Random, seq: int, carrier: str, warehouse_gln: str) -> SimOrder:
    n_items = rng.randint(1, 3)
    items = tuple(
        SimItem(
            sku=f"SKU-{p:03d}",
            gtin="0" + "614141" + f"{p:06d}" + "7",
            title=_PRODUCTS[p % len(_PRODUCTS)][0],
            quantity=rng.randint(1, 2),
            price=_PRODUCTS[p % len(_PRODUCTS)][1],
        )
        for p in rng.sample(range(len(_PRODUCTS)), n_items)
    )
    return SimOrder(
        order_number=str(100000 + seq),
        marketplace_order_id=str(rng.randint(10**17, 10**18 - 1)),
        fulfillment_id=str(rng.randint(10**9, 10**10 - 1)),
        sscc="0" + "0614141" + _digits(rng, 9) + "0",
        tracking_number=tracking_number(rng, carrier),
        carrier=carrier,
        warehouse_gln=warehouse_gln,
        retailer_gln="0614141000005",
        items=items,
        email=f"customer{seq}@example.com",
    )


class Simulator:
    """Plans orders across the network's partners and publishes their steps."""

    def __init__(self, network: Network, seed: int = 7) -> None:
        self.network = network
        self.rng = random.Random(seed)  # noqa: S311 - simulation, not security
        by_type: dict[PartnerType, list[Partner]] = {t: [] for t in PartnerType}
        for p in network.partners:
            by_type[p.type].append(p)
        for t, partners in by_type.items():
            if not partners:
                raise ValueError(f"the simulator needs at least one {t.value} partner")
        self.by_type = by_type
        self._seq = 0

    def _reports(self, partner: Partner, milestone: Milestone) -> bool:
        return milestone in FORMATS[partner.format].renderer.milestones

    def plan_order(self, placed_at: datetime, disorder: Disorder | None = None) -> list[Step]:
        """One order's steps from placement to delivery, each with its reporting partner.

        With ``disorder``, some orders ship in several packages (each with its own SSCC,
        fulfilment and tracking number, possibly with different carriers), some packages
        are relabelled (the marketplace fulfilment gets a new tracking number) and some
        orders are cancelled.
        """
        rng = self.rng
        self._seq += 1
        warehouse = rng.choice(self.by_type[PartnerType.warehouse])
        marketplace = rng.choice(self.by_type[PartnerType.marketplace])
        gln = "0614141" + f"{zlib.crc32(warehouse.id.encode()) % 10**5:05d}" + "9"
        carriers = [rng.choice(self.by_type[PartnerType.carrier])]
        order = make_order(rng, self._seq, carriers[0].carrier or carriers[0].id, gln)
        reporter = {PartnerType.marketplace: marketplace, PartnerType.warehouse: warehouse}
        steps: list[Step] = []
        at = placed_at

        def step(milestone: Milestone, kind: PartnerType, low: float, high: float,
                 sim: SimOrder, carrier: Partner | None = None) -> None:  # fmt: skip
            nonlocal at
            # Partners report whole seconds; so does the simulated world.
            at = (at + timedelta(hours=rng.uniform(low, high))).replace(microsecond=0)
            partner = carrier if kind is PartnerType.carrier and carrier else reporter[kind]
            if self._reports(partner, milestone):
                steps.append(Step(at, partner, sim, milestone))

        step(Milestone.order_placed, PartnerType.marketplace, 0, 0, order)
        if disorder and rng.random() < disorder.cancel_rate:
            step(Milestone.order_cancelled, PartnerType.marketplace, 0.05, 1.0, order)
            return steps
        step(Milestone.picked, PartnerType.warehouse, 0.3, 6.0, order)
        packages = [order]
        if disorder and rng.random() < disorder.split_rate and len(order.items) > 1:
            packages = self._split(order)
        picked_at = at
        for i, package in enumerate(packages):
            carrier = carriers[0] if i == 0 else rng.choice(self.by_type[PartnerType.carrier])
            package = replace(package, carrier=carrier.carrier or carrier.id)
            if i:
                package = replace(package, tracking_number=tracking_number(rng, package.carrier))
            at = picked_at
            step(Milestone.packed, PartnerType.warehouse, 0.1, 0.5, package)
            step(Milestone.label_created, PartnerType.marketplace, 0.05, 0.2, package)
            if disorder and rng.random() < disorder.relabel_rate:
                package = replace(package, tracking_number=tracking_number(rng, package.carrier))
                step(Milestone.label_created, PartnerType.marketplace, 0.05, 0.3, package)
            for milestone, kind, low, high in PATH[4:]:
                step(milestone, kind, low, high, package, carrier)
        return steps

    def _split(self, order: SimOrder) -> list[SimOrder]:
        """The order's items over two or three packages, each with its own identifiers."""
        n = min(len(order.items), self.rng.randint(2, 3))
        rng = self.rng
        return [
            replace(
                order,
                items=order.items[i::n],
                sscc=order.sscc if i == 0 else "0" + "0614141" + _digits(rng, 9) + "0",
                fulfillment_id=order.fulfillment_id
                if i == 0
                else str(rng.randint(10**9, 10**10 - 1)),
            )
            for i in range(n)
        ]

    def plan_disorder(
        self, orders: int, end: datetime, disorder: Disorder, days: float = 3.0
    ) -> list[Step]:
        """Finished orders over the past ``days``, in the order partners' reports arrive:
        shuffled, with some redelivered, and with each partner's clock skewed."""
        rng = self.rng
        span = timedelta(days=days)
        skew = {
            p.id: timedelta(seconds=round(rng.uniform(-1, 1) * disorder.skew_minutes * 60))
            for p in self.network.partners
        }
        steps: list[Step] = []
        for _ in range(orders):
            placed = end - span + timedelta(seconds=rng.uniform(0, span.total_seconds() / 2))
            for st in self.plan_order(placed.replace(microsecond=0), disorder):
                steps.append(replace(st, at=st.at + skew[st.partner.id]))
        steps.extend(rng.sample(steps, int(len(steps) * disorder.duplicate_rate)))
        rng.shuffle(steps)
        return steps

    def plan_history(self, orders: int, end: datetime, days: float = 3.0) -> list[Step]:
        """Orders placed over the past ``days``; only steps that have happened by ``end``."""
        steps: list[Step] = []
        span = timedelta(days=days)
        for _ in range(orders):
            placed = end - span + timedelta(seconds=self.rng.uniform(0, span.total_seconds()))
            steps.extend(s for s in self.plan_order(placed) if s.at <= end)
        steps.sort()
        return steps


def ground_truth(network: Network, steps: list[Step]) -> dict[str, set[str]]:
    """event id -> the order numbers it truly belongs to, by normalizing what is sent."""
    now = datetime.now(UTC)
    truth: dict[str, set[str]] = {}
    for s in steps:
        ctx = network.contexts[raw_topic(s.partner.id)]
        spec = FORMATS[s.partner.format]
        for p in spec.renderer.render(s.order, s.milestone, s.at):
            result = spec.adapter.normalize(RawMessage(p.value, p.headers), ctx, now)
            for e in result.events:
                truth.setdefault(e.event_id, set()).add(s.order.order_number)
    return truth


def _key(step: Step) -> bytes:
    o = step.order
    if step.partner.type is PartnerType.carrier:
        return o.tracking_number.encode()
    return o.order_number.encode()


async def publish(producer: AIOKafkaProducer, steps: list[Step], stamped: bool = False) -> int:
    """Render and send every step; return the number of payloads sent (all acknowledged).
    ``stamped``: each record's timestamp is its step's time (reports sent as they happened,
    read later), not the time of sending."""
    futures = []
    for step in steps:
        renderer = FORMATS[step.partner.format].renderer
        for payload in renderer.render(step.order, step.milestone, step.at):
            futures.append(
                await producer.send(
                    raw_topic(step.partner.id),
                    payload.value,
                    key=_key(step),
                    headers=[(k, v.encode()) for k, v in payload.headers.items()],
                    timestamp_ms=int(step.at.timestamp() * 1000) if stamped else None,
                )
            )
    await asyncio.gather(*futures)
    return len(futures)


async def publish_live(
    producer: AIOKafkaProducer,
    sim: Simulator,
    orders_per_second: float,
    speed: float,
    stop: asyncio.Event,
    on_order: Callable[[SimOrder], None] | None = None,
) -> int:
    """New orders keep arriving; each step is sent when its (sped-up) time comes.

    ``speed`` compresses the journey: at 3600, an hour of fulfilment passes in a second.
    Events carry the real time they are sent at, so the data looks live.
    """
    queue: list[tuple[float, Step]] = []
    loop = asyncio.get_running_loop()
    next_order, sent = loop.time(), 0
    while not stop.is_set():
        now = loop.time()
        while next_order <= now:
            placed = datetime.now(UTC)
            steps = sim.plan_order(placed)
            if on_order and steps:
                on_order(steps[0].order)
            for s in steps:
                due = now + (s.at - placed).total_seconds() / speed
                heapq.heappush(queue, (due, s))
            next_order += 1.0 / orders_per_second
        ready = []
        while queue and queue[0][0] <= now:
            _, s = heapq.heappop(queue)
            ready.append(Step(datetime.now(UTC), s.partner, s.order, s.milestone))
        if ready:
            sent += await publish(producer, ready)
        wake = min(next_order, queue[0][0] if queue else next_order)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.01, wake - loop.time()))
    return sent


#: Ways an order gets stuck in real operations, injected by ``plan_live``.
FAILURE_MODES = (
    "pick_delayed",  # a missed warehouse cut-off or inventory out of sync: never picked
    "label_never_scanned",  # handed to the carrier, never scanned by it
    "lost_in_transit",  # scanned in transit, never seen again
    "failed_deliveries",  # delivery attempted again and again, never delivered
)


@dataclass(frozen=True)
class Failures:
    rate: float = 0.1  # share of orders given one of FAILURE_MODES
    silent_partner: str | None = None  # a warehouse partner that stops reporting ...
    silent_after: float = 0.1  # ... this share of the way into the run


def inject(steps: list[Step], mode: str) -> list[Step]:
    """The reports an order with this failure would still produce."""
    if mode == "pick_delayed":
        return [s for s in steps if s.milestone is Milestone.order_placed]
    if mode == "label_never_scanned":
        return [s for s in steps if s.partner.type is not PartnerType.carrier]
    if mode == "lost_in_transit":
        gone = {Milestone.out_for_delivery, Milestone.delivered}
        return [s for s in steps if s.milestone not in gone]
    if mode == "failed_deliveries":
        kept = [s for s in steps if s.milestone is not Milestone.delivered]
        last = next(s for s in reversed(kept) if s.partner.type is PartnerType.carrier)
        if Milestone.delivery_failed not in FORMATS[last.partner.format].renderer.milestones:
            return kept  # this carrier cannot say so: the parcel just goes quiet
        return kept + [
            replace(last, at=last.at + timedelta(hours=2 + 24 * i),
                    milestone=Milestone.delivery_failed)
            for i in range(3)
        ]  # fmt: skip
    raise ValueError(f"unknown failure mode {mode!r}; known: {', '.join(FAILURE_MODES)}")


def plan_live(
    sim: Simulator, orders: int, start: datetime, window_s: float, speed: float,
    failures: Failures,
) -> tuple[list[Step], dict[str, str]]:  # fmt: skip
    """Orders placed evenly over ``window_s`` real seconds from ``start``; a simulated
    hour passes in 3600/``speed`` seconds. Returns the steps (at real times, sorted) and the
    ground truth of stuck orders: order number -> why."""
    stuck: dict[str, str] = {}
    steps: list[Step] = []
    silent_from = start + timedelta(seconds=window_s * failures.silent_after)
    for i in range(orders):
        placed = start + timedelta(seconds=window_s * i / orders)
        planned = sim.plan_order(placed)
        number = planned[0].order.order_number
        if sim.rng.random() < failures.rate:
            mode = sim.rng.choice(FAILURE_MODES)
            planned = inject(planned, mode)
            stuck[number] = mode
        live = [
            replace(s, at=(placed + (s.at - placed) / speed).replace(microsecond=0))
            for s in planned
        ]
        cut = next(
            (
                i
                for i, s in enumerate(live)
                if s.partner.id == failures.silent_partner and s.at >= silent_from
            ),
            None,
        )
        if cut is not None:  # the 3PL has the order and says nothing more: nothing moves
            live = live[:cut]
            stuck[number] = "partner_silent"
        steps.extend(live)
    steps.sort()
    return steps, stuck


async def publish_on_time(producer: AIOKafkaProducer, steps: list[Step]) -> int:
    """Send each step when its time comes (steps sorted by time); return payloads sent."""
    sent, i = 0, 0
    while i < len(steps):
        wait = (steps[i].at - datetime.now(UTC)).total_seconds()
        if wait > 0:
            await asyncio.sleep(min(wait, 1.0))
            continue
        j = i
        now = datetime.now(UTC)
        while j < len(steps) and steps[j].at <= now:
            j += 1
        sent += await publish(producer, steps[i:j])
        i = j
    return sent
