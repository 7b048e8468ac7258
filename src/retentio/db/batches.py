"""Batch helpers shared by every area: chunked ``IN`` lists, dialect-aware upserts, and pausing the
cycle collector while a batch is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

T = TypeVar("T")
# Well below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
IN_CHUNK = 5_000


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(connection: Connection, table: Table) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support for the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignoring_duplicates(connection: Connection, table: Table) -> Insert:
    statement: Insert = dialect_insert(connection, table).on_conflict_do_nothing()
    return statement


def upsert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, replacing every non-key column where the primary key already exists."""
    if not rows:
        return
    statement = dialect_insert(connection, table)
    keys = [column.name for column in table.primary_key.columns]
    updates = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates), rows)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds many small acyclic objects.

    Each allocation burst would trigger collections that find nothing (events, rows and dicts hold no
    cycles) but walk every live object, and cost several times the work itself. Reference counting
    still frees everything; the previous collector state is restored before control returns."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
