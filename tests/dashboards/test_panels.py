from datetime import UTC, datetime

from dashboards.panels import PANELS, run_panel
from sinks.clickhouse_sink import DEAD_LETTER_COLUMNS
from sinks.store import Store


def test_every_panel_query_runs_against_the_schema(store: Store) -> None:
    row = ["d1", "ups", "ups", "seamscope.raw.ups", 0, 4, "payload is not valid JSON", "x"]
    store.insert("dead_letters", [[*row, b"{", {}, datetime.now(UTC)]], DEAD_LETTER_COLUMNS)
    for name in PANELS:
        run_panel(store, name)
    rows = run_panel(store, "dead_letters")
    assert [(r["partner_id"], r["reason"], r["letters"]) for r in rows] == [
        ("ups", "payload is not valid JSON", 1)
    ]
