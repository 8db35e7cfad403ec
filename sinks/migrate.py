"""Numbered ``.sql`` migrations in ``sinks/migrations``, applied once each, in order."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

from sinks.store import Store, StoreError

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def statements(self) -> list[str]:
        """Statements are separated by a ``;`` at the end of a line."""
        body = "\n".join(
            line for line in self.sql.splitlines() if not line.lstrip().startswith("--")
        )
        return [s.strip() for s in re.split(r";\s*$", body, flags=re.M) if s.strip()]


def available() -> list[Migration]:
    folder = resources.files("sinks") / "migrations"
    found = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"two migrations share a number: {versions}")
    return found


def migrate(store: Store) -> list[Migration]:
    """Apply what has not been applied; return the migrations applied now."""
    store.command(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) "
        "ENGINE = MergeTree ORDER BY version"
    )
    done = {int(r["version"]) for r in store.rows("SELECT version FROM schema_migrations")}
    applied = []
    for mig in available():
        if mig.version in done:
            continue
        for statement in mig.statements:
            try:
                store.command(statement)
            except Exception as exc:
                raise StoreError(f"migration {mig.version:04d}_{mig.name} failed: {exc}") from exc
        store.insert("schema_migrations", [[mig.version, mig.name]], ["version", "name"])
        log.info("applied migration %04d_%s", mig.version, mig.name)
        applied.append(mig)
    return applied
