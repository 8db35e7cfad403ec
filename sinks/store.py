"""One ClickHouse connection for every access: a ClickHouse server or embedded chDB.

The same code runs against ``http(s)://user:pass@host:8123/db`` and ``chdb:///path``.
chDB runs inside this process and locks its folder, so calls are serialized here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import clickhouse_connect
from clickhouse_connect.driver.exceptions import ClickHouseError

from seamscope.settings import redact_url

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The store could not be opened or a statement failed; the message says why."""


def chdb_path(url: str) -> Path:
    """The folder of a ``chdb://`` URL: ``chdb:///abs`` is absolute, ``chdb://rel`` relative."""
    rest = url.removeprefix("chdb://")
    return Path(rest).expanduser().resolve()


class Store:
    def __init__(self, url: str, database: str = "seamscope") -> None:
        self.url = url
        self.database = database
        self.embedded = urlsplit(url).scheme == "chdb"
        self._lock = threading.RLock()
        #: Column types per (table, columns), so an insert is one round trip, not two (the
        #: client would DESCRIBE the table before every insert). DDL clears it.
        self._types: dict[tuple[str, tuple[str, ...]], Sequence[Any]] = {}
        try:
            if self.embedded:
                path = chdb_path(url)
                path.mkdir(parents=True, exist_ok=True)
                self._client = clickhouse_connect.get_client(dsn=f"chdb://{path}")
            else:
                self._client = clickhouse_connect.get_client(dsn=url)
            self._client.command(f"CREATE DATABASE IF NOT EXISTS `{database}`")
            self._client.command(f"USE `{database}`")
        except (ClickHouseError, OSError) as exc:
            raise StoreError(f"cannot open ClickHouse at {redact_url(url)}: {exc}") from exc
        self._client.database = database

    @contextmanager
    def _guard(self) -> Iterator[None]:
        with self._lock:
            yield

    def command(self, sql: str, parameters: dict[str, Any] | None = None) -> Any:
        with self._guard():
            self._types.clear()  # the statement may change a table
            return self._client.command(sql, parameters=parameters)

    def rows(self, sql: str, parameters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a query; rows as dicts. Parameters are bound by the server, never interpolated."""
        with self._guard():
            result = self._client.query(sql, parameters=parameters)
        names = result.column_names
        return [dict(zip(names, row, strict=True)) for row in result.result_rows]

    def insert(
        self,
        table: str,
        rows: Sequence[Sequence[Any]],
        columns: Sequence[str],
        dedup_token: str | None = None,
    ) -> None:
        """Insert a block; the same ``dedup_token`` twice writes the rows once."""
        if not rows:
            return
        settings = {"insert_deduplication_token": dedup_token} if dedup_token else None
        names = list(columns)
        key = (table, tuple(names))
        with self._guard():
            types = self._types.get(key)
            if types is None:
                context = self._client.create_insert_context(table, column_names=names)
                types = self._types[key] = context.column_types
            try:
                self._client.insert(
                    table, rows, column_names=names, column_types=types, settings=settings
                )
            except Exception:
                self._types.pop(key, None)  # the table may have changed: a retry asks again
                raise

    def insert_lines(self, table: str, lines: bytes, dedup_token: str) -> None:
        """Insert text, a row per line, into ``table``'s one ``String`` column (its views
        make the rows); the same ``dedup_token`` twice writes the views' rows once."""
        settings = {
            "insert_deduplication_token": dedup_token,
            "deduplicate_blocks_in_dependent_materialized_views": 1,
        }
        with self._guard():
            self._client.raw_insert(table, None, lines, settings=settings, fmt="LineAsString")

    def close(self) -> None:
        with self._guard():
            self._client.close()
