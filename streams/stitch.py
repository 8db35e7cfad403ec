"""The identity graph: any identifier -> the journey it belongs to.

Identifiers that appear in one event, or that an event links, belong to one journey. The
graph is a union-find over identifier keys. A journey's id is derived from the strongest
identifier in its component (an order number beats a tracking number), so the final id of
a journey depends only on which identifiers it holds, never on the order events arrived in.
When a late link merges two components, or a stronger identifier joins, the ids issued
earlier become aliases of the new one, and an alias record says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from schemas.canonical import IdType, JourneyEvent

_PRECEDENCE = {t.value: i for i, t in enumerate(IdType)}


def journey_id_for(key: str) -> str:
    return "jrn_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _rank(key: str) -> tuple[int, str]:
    return (_PRECEDENCE.get(key.split(":", 1)[0], len(_PRECEDENCE)), key)


@dataclass
class _Component:
    best: tuple[int, str]
    journey_ids: set[str] = field(default_factory=set)

    @property
    def journey_id(self) -> str:
        return journey_id_for(self.best[1])


@dataclass(frozen=True)
class Alias:
    alias_id: str
    journey_id: str


class Stitcher:
    """Assigns events to journeys; reports aliases when journeys merge or are renamed."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._components: dict[str, _Component] = {}

    def __len__(self) -> int:
        """Open journeys (connected components)."""
        return len(self._components)

    def _find(self, key: str) -> str:
        parent = self._parent
        root = key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:  # path compression
            parent[key], key = root, parent[key]
        return root

    def _add(self, key: str) -> str:
        if key not in self._parent:
            self._parent[key] = key
            self._components[key] = _Component(best=_rank(key))
            return key
        return self._find(key)

    def assign(self, event: JourneyEvent) -> tuple[str, list[Alias]]:
        """The journey id for ``event`` and the aliases its identifiers caused."""
        keys = [i.key for i in event.identifiers]
        for link in event.links:
            keys.extend((link.child.key, link.parent.key))
        roots = {self._add(k) for k in keys}
        if len(roots) == 1:
            (root,) = roots
            comp = self._components[root]
            comp.journey_ids.add(comp.journey_id)
            return comp.journey_id, []

        comps = [(self._components[r].journey_id, self._components[r], r) for r in roots]
        best = min(c.best for _, c, _ in comps)
        winner_root = next(r for _, c, r in comps if c.best == best)
        merged = _Component(best=best)
        for _, comp, root in comps:
            merged.journey_ids |= comp.journey_ids
            self._parent[root] = winner_root
            del self._components[root]
        self._components[winner_root] = merged
        jid = merged.journey_id
        aliases = self._repoint([(prev, c) for prev, c, _ in comps if c.journey_ids], jid)
        merged.journey_ids.add(jid)
        return jid, aliases

    @staticmethod
    def _repoint(previous: list[tuple[str, _Component]], jid: str) -> list[Alias]:
        """Aliases for every id of components whose journey id changed to ``jid``."""
        out: list[Alias] = []
        for prev, comp in previous:
            if prev != jid:
                out.extend(Alias(old, jid) for old in sorted(comp.journey_ids) if old != jid)
        return out
