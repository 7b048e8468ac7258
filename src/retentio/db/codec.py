"""Driver-level parameters for the hot paths, where SQLAlchemy's per-value processing would cost
more than the database itself (bulk event inserts, profile loads and saves).

Values are written exactly as the typed columns (``UtcDateTime``, JSON) write them, so rows written
here and rows written through SQLAlchemy Core read back the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection


class Codec:
    """How one dialect wants timestamps and JSON handed to its driver, and gives them back."""

    def __init__(self, dialect_name: str) -> None:
        self.is_postgres = dialect_name == "postgresql"
        self.mark = "%s" if self.is_postgres else "?"

    def timestamp(self, value: datetime | None) -> Any:
        if value is None or self.is_postgres:
            return value
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # "YYYY-MM-DD HH:MM:SS.ffffff+00:00" cut before the offset: one call where three would do.
        return value.isoformat(sep=" ", timespec="microseconds")[:26]

    def read_timestamp(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        # SQLite holds naive UTC text; parsing it with the offset appended is several times cheaper
        # than parsing and then replacing the zone (which builds a second datetime).
        return datetime.fromisoformat(f"{value}+00:00")

    def json(self, value: Any) -> str:
        return orjson.dumps(value).decode()

    def read_json(self, value: Any) -> Any:
        return orjson.loads(value) if isinstance(value, str | bytes) else value

    def json_mark(self) -> str:
        return "%s::jsonb" if self.is_postgres else "?"

    def marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)


def codec_for(connection: Connection) -> Codec:
    return Codec(connection.dialect.name)


def executemany(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` for every row on the connection's own DBAPI cursor, inside its transaction."""
    if not rows:
        return
    cursor = _cursor(connection)
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def fetchall(connection: Connection, sql: str, parameters: Sequence[Any]) -> list[Any]:
    cursor = _cursor(connection)
    try:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _cursor(connection: Connection) -> Any:
    """The DBAPI cursor of the connection's transaction; on PostgreSQL a binary one, which skips
    psycopg's text escaping of every array element and timestamp."""
    if connection.dialect.name == "postgresql":
        return connection.connection.driver_connection.cursor(binary=True)  # type: ignore[union-attr]
    return connection.connection.cursor()
