from datetime import UTC, datetime

from seamscope.network import Network
from sinks.migrate import available, migrate
from sinks.store import Store
from streams.simulate import Simulator
from tests.helpers import land, raw_records


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


def test_a_flush_writes_each_table_one_file_and_merged_parts_grow_back_to_folders(
    store: Store, network: Network
) -> None:
    """Every table a flush writes keeps the part in one file (Packed storage): a part in
    folders costs a dozen files, created and later deleted, on every insert. A merged part
    of 16 MiB or more goes back to one file per column, which long scans read best."""
    steps = Simulator(network, seed=3).plan_history(30, datetime.now(UTC), days=2)
    land(store, network, raw_records(network, steps))
    parts = store.rows(
        "SELECT table, groupUniqArray(part_storage_type) AS storage FROM system.parts "
        "WHERE database = currentDatabase() AND active AND table != 'schema_migrations' "
        "GROUP BY table ORDER BY table"
    )
    written = {"journey_events", "identifiers", "journey_members", "journey_timeline"}
    assert written <= {p["table"] for p in parts}
    assert all(p["storage"] == ["Packed"] for p in parts), parts
    tables = store.rows(  # (and the tables no flush of this test wrote to)
        "SELECT name, create_table_query AS q FROM system.tables WHERE database = "
        "currentDatabase() AND engine LIKE '%MergeTree' AND name != 'schema_migrations'"
    )
    assert len(tables) > len(written)
    assert [t["name"] for t in tables if "min_level_for_full_part_storage = 1" not in t["q"]] == []

    store.command("CREATE TABLE big (n UInt64, s String) ENGINE = MergeTree ORDER BY n "
                  "SETTINGS min_level_for_full_part_storage = 1, "
                  "min_bytes_for_full_part_storage = 16777216")  # fmt: skip
    for first in (0, 1):
        store.command(f"INSERT INTO big SELECT number * 2 + {first}, repeat('x', 100) "
                      "FROM numbers(100000)")  # fmt: skip
    store.command("OPTIMIZE TABLE big FINAL")
    merged = store.rows(
        "SELECT part_storage_type AS storage, level FROM system.parts "
        "WHERE database = currentDatabase() AND table = 'big' AND active"
    )
    assert merged == [{"storage": "Full", "level": 1}]
