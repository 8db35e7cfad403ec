"""The identity graph: any identifier -> the journeys (orders) it belongs to.

Two kinds of identifiers:

- order-level (the retailer's order number, the marketplace's order id): an order is the
  class of order-level identifiers known to be the same order (reported together with
  different types, or linked explicitly). A journey is an order; its id derives from the
  strongest identifier of the class, so it depends only on what the class holds.
- handling units (fulfilments, shipments, packages, SSCCs, tracking numbers): identifiers
  reported together or linked form a unit; a unit is attached to the orders it was
  reported with. One unit may serve several orders (a consolidated shipment), and one
  order has many units (split shipments, relabels, returns).

Every derived fact is monotone (classes and units only ever merge; attachments only
grow), so the final state depends only on the set of events, never on their order.
Applying the same facts twice changes nothing and derives nothing.

Facts derived for the store:
- ``Member(journey_id, key)``: identifier ``key`` belongs to the journey;
- ``Alias(old, new)``: when an order class grows a stronger identifier, or two classes
  merge, the journey ids issued before point to the new id.
An event belongs to every journey of its identifiers; an event none of whose identifiers
reaches an order yet is an orphan (its journey id says so) until a link arrives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from schemas.canonical import IdType, JourneyEvent

ORDER_LEVEL = frozenset({IdType.order.value, IdType.marketplace_order.value})
_ORDER_PREFIXES = tuple(f"{t}:" for t in sorted(ORDER_LEVEL))
_PRECEDENCE = {t.value: i for i, t in enumerate(IdType)}


def id_type_of(key: str) -> str:
    return key.split(":", 1)[0]


def is_order_level(key: str) -> bool:
    """Whether a key is an order-level identifier's (one C call: this is asked per key)."""
    return key.startswith(_ORDER_PREFIXES)


def _rank(key: str) -> tuple[int, str]:
    return (_PRECEDENCE.get(id_type_of(key), len(_PRECEDENCE)), key)


@lru_cache(maxsize=1 << 15)
def journey_id_for(key: str) -> str:
    """An order's journey id, from one of its order-level identifier keys (remembered: the
    SLA clocks ask it of every event's keys)."""
    return "jrn_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def orphan_id_for(key: str) -> str:
    return "orphan_" + hashlib.sha256(key.encode()).hexdigest()[:21]


# Tuples: made per event and per derived fact (a frozen dataclass costs three times more).
class Alias(NamedTuple):
    alias_id: str
    journey_id: str


class Member(NamedTuple):
    journey_id: str
    key: str


class Facts(NamedTuple):
    """What one event says about identity: its identifier keys and declared links."""

    keys: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, event: JourneyEvent) -> Facts:
        return cls(
            keys=tuple(dict.fromkeys(i.key for i in event.identifiers)),
            links=tuple((link.child.key, link.parent.key) for link in event.links),
        )


@dataclass
class Derived:
    aliases: list[Alias] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, key: str) -> str:
        if key not in self.parent:
            self.parent[key] = key
            return key
        return self.find(key)

    def find(self, key: str) -> str:
        parent = self.parent
        root = key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    def __contains__(self, key: object) -> bool:
        return key in self.parent


# Kept for every open order, so small collections are tuples: most orders have one or two
# ids and one or two units, a list over-allocates and a set costs ~200 bytes for one item.
@dataclass(slots=True)
class _Order:
    #: The order's identifiers. Each was issued its own journey id when first seen (the id
    #: of the order while it was its strongest), so they also say which ids were issued.
    keys: tuple[str, ...]
    best: str
    journey_id: str
    units: tuple[str, ...] = ()  # attached unit roots (find() them)

    def issued(self) -> set[str]:
        """Every journey id the order was ever known by."""
        return {journey_id_for(k) for k in self.keys}


@dataclass(slots=True)
class _Unit:
    keys: tuple[str, ...]
    orders: tuple[str, ...] = ()  # order roots (may be stale: find() them)


class IdentityGraph:
    def __init__(self) -> None:
        self._orders_uf = _UnionFind()
        self._orders: dict[str, _Order] = {}
        self._units_uf = _UnionFind()
        self._units: dict[str, _Unit] = {}
        self._by_journey: dict[str, str] = {}  # an order's current journey id -> an order key

    # -- size ----------------------------------------------------------------------
    @property
    def open_orders(self) -> int:
        return len(self._orders)

    @property
    def units(self) -> int:
        return len(self._units)

    @property
    def keys(self) -> int:
        return len(self._orders_uf.parent) + len(self._units_uf.parent)

    # -- queries -------------------------------------------------------------------
    def journeys_of(self, keys: Iterable[str]) -> list[str]:
        """The journey ids the identifiers belong to (sorted; empty for an orphan)."""
        out: set[str] = set()
        for key in keys:
            if is_order_level(key):
                if key in self._orders_uf:
                    out.add(self._orders[self._orders_uf.find(key)].journey_id)
            elif key in self._units_uf:
                unit = self._units[self._units_uf.find(key)]
                out.update(self._order(o).journey_id for o in unit.orders)
        return sorted(out)

    def order_journey(self, key: str) -> str | None:
        """The journey id of the order an order-level identifier belongs to, if known."""
        if key not in self._orders_uf:
            return None
        return self._orders[self._orders_uf.find(key)].journey_id

    def assign(self, facts: Facts) -> tuple[list[str], str, Derived]:
        """Apply an event's facts; its journeys, the id to file it under, and what followed."""
        derived = self.apply(facts)
        journeys = self.journeys_of(facts.keys)
        primary = journeys[0] if journeys else orphan_id_for(min(facts.keys, key=_rank))
        return journeys, primary, derived

    # -- updates -------------------------------------------------------------------
    def apply(self, facts: Facts) -> Derived:
        """Add an event's identity facts; return the aliases and memberships that follow."""
        out = Derived()
        order_keys = [k for k in facts.keys if is_order_level(k)]
        unit_keys = [k for k in facts.keys if not is_order_level(k)]
        roots = [self._add_order(k, out) for k in order_keys]
        if len(order_keys) > 1:
            # Reported together with different types, order-level ids name one order; two
            # ids of the same type (two order numbers) are two orders sharing this event.
            by_type: dict[str, str] = {}
            for key, root in zip(order_keys, roots, strict=True):
                by_type.setdefault(id_type_of(key), root)
            if len(by_type) > 1 and len(order_keys) == len(by_type):
                firsts = list(dict.fromkeys(self._orders_uf.find(r) for r in by_type.values()))
                for other in firsts[1:]:
                    self._union_orders(firsts[0], other, out)
        unit = self._merge_units([self._add_unit(k, out) for k in unit_keys], out)
        if unit is not None:
            for root in {self._orders_uf.find(r) for r in roots}:
                self._attach(unit, root, out)
        for child, parent in facts.links:
            self._link(child, parent, out)
        return out

    def _link(self, child: str, parent: str, out: Derived) -> None:
        child_order, parent_order = is_order_level(child), is_order_level(parent)
        if child_order and parent_order:
            self._union_orders(self._add_order(child, out), self._add_order(parent, out), out)
        elif child_order or parent_order:
            order, unit = (child, parent) if child_order else (parent, child)
            self._attach(self._add_unit(unit, out), self._add_order(order, out), out)
        else:
            self._merge_units([self._add_unit(child, out), self._add_unit(parent, out)], out)

    def _order(self, root: str) -> _Order:
        return self._orders[self._orders_uf.find(root)]

    def _add_order(self, key: str, out: Derived) -> str:
        if key in self._orders_uf:
            return self._orders_uf.find(key)
        self._orders_uf.add(key)
        jid = journey_id_for(key)
        self._orders[key] = _Order(keys=(key,), best=key, journey_id=jid)
        self._by_journey[jid] = key
        out.members.append(Member(jid, key))
        return key

    def _add_unit(self, key: str, out: Derived) -> str:
        if key in self._units_uf:
            return self._units_uf.find(key)
        self._units_uf.add(key)
        self._units[key] = _Unit(keys=(key,))
        return key

    def _union_orders(self, a: str, b: str, out: Derived) -> None:
        """Two classes are one order. Ids issued before become aliases of the new id, so
        memberships recorded under them stay valid without being derived again."""
        a, b = self._orders_uf.find(a), self._orders_uf.find(b)
        if a == b:
            return
        oa, ob = self._orders[a], self._orders[b]
        if len(oa.keys) < len(ob.keys):
            a, b, oa, ob = b, a, ob, oa
        self._orders_uf.parent[b] = a
        del self._orders[b]
        previous = oa.issued() | ob.issued()
        del self._by_journey[oa.journey_id], self._by_journey[ob.journey_id]
        oa.keys = (*oa.keys, *ob.keys)
        oa.units = (*oa.units, *ob.units)
        oa.best = min(oa.best, ob.best, key=_rank)
        jid = oa.journey_id = journey_id_for(oa.best)
        self._by_journey[jid] = a
        out.aliases.extend(Alias(old, jid) for old in sorted(previous) if old != jid)
        if jid not in previous:
            out.members.append(Member(jid, oa.best))

    def _merge_units(self, roots: Sequence[str], out: Derived) -> str | None:
        if len(roots) < 2:  # (most events name one unit: nothing to merge)
            return self._units_uf.find(roots[0]) if roots else None
        roots = list(dict.fromkeys(self._units_uf.find(r) for r in roots))
        target = max(roots, key=lambda r: len(self._units[r].keys))
        tu = self._units[target]
        for r in roots:
            if r == target:
                continue
            ru = self._units.pop(r)
            self._units_uf.parent[r] = target
            t_orders = {self._orders_uf.find(o) for o in tu.orders}
            r_orders = {self._orders_uf.find(o) for o in ru.orders}
            # Keys of each side join the orders of the other side.
            for o in r_orders - t_orders:
                out.members.extend(Member(self._order(o).journey_id, k) for k in tu.keys)
            for o in t_orders - r_orders:
                out.members.extend(Member(self._order(o).journey_id, k) for k in ru.keys)
            tu.keys = (*tu.keys, *ru.keys)
            tu.orders = tuple(t_orders | r_orders)
            for o in tu.orders:
                order = self._orders[o]
                if target not in order.units:
                    order.units = (*order.units, target)
        return target

    def _attach(self, unit: str, order: str, out: Derived) -> None:
        u = self._units[self._units_uf.find(unit)]
        order = self._orders_uf.find(order)
        # (The unit's orders are roots when they were attached; one found as it is, is.)
        if order in u.orders or order in {self._orders_uf.find(o) for o in u.orders}:
            return
        u.orders = (*u.orders, order)
        o = self._orders[order]
        unit_root = self._units_uf.find(unit)
        if unit_root not in o.units:
            o.units = (*o.units, unit_root)
        out.members.extend(Member(o.journey_id, k) for k in u.keys)

    # -- expiry --------------------------------------------------------------------
    def retire(self, journey_id: str) -> bool:
        """Forget a finished journey: its order's identifiers, and units no other order
        uses. What it derived stays in the store, so lookups still find everything; only
        links arriving after retirement no longer reach it. ``journey_id`` is the order's
        current id (the graph does not keep the ids it replaced: follow the aliases)."""
        key = self._by_journey.get(journey_id)
        if key is None or key not in self._orders_uf:
            return False
        root = self._orders_uf.find(key)
        order = self._orders.pop(root)
        for k in order.keys:
            del self._orders_uf.parent[k]
        del self._by_journey[order.journey_id]
        for unit_root in {self._units_uf.find(u) for u in order.units if u in self._units_uf}:
            unit = self._units[unit_root]
            unit.orders = tuple(
                {self._orders_uf.find(o) for o in unit.orders if o in self._orders_uf}
            )
            if not unit.orders:
                del self._units[unit_root]
                for k in unit.keys:
                    del self._units_uf.parent[k]
        return True
