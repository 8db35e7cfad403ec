from sinks.migrate import available, migrate
from sinks.store import Store


def test_migrations_apply_once_and_create_the_tables(store: Store) -> None:
    assert migrate(store) == []  # the fixture already applied them; a second run is a no-op
    tables = {r["name"] for r in store.rows("SHOW TABLES")}
    expected = {"journey_events", "identifiers", "journey_aliases", "dead_letters", "sink_ledger"}
    assert expected <= tables
    versions = [int(r["version"]) for r in store.rows("SELECT version FROM schema_migrations")]
    assert sorted(versions) == [m.version for m in available()]


def test_migrations_are_numbered_uniquely_in_order() -> None:
    versions = [m.version for m in available()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1
