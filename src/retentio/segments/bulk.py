"""Moving many rows between the database and Python inside the caller's transaction: a read streamed
in batches (a server-side cursor on PostgreSQL, so a million rows never sit in memory at once) and a
bulk load (``COPY`` on PostgreSQL, where one statement per row would cost a round trip each)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from retentio.db.codec import codec_for, executemany


def stream_rows(connection: Connection, sql: str, size: int) -> Iterator[list[Any]]:
    """The rows of ``sql`` (no parameters), ``size`` at a time. Between batches the connection is free
    for other statements (loading what a batch gave)."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        # A cursor is planned for its first rows (nested loops) unless told every row will be read.
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
        cursor = driver.cursor(name="segments_stream", binary=True)  # type: ignore[union-attr]
    else:
        cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(size):
            yield batch
    finally:
        cursor.close()


def bulk_load(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Append ``rows`` (values in ``columns`` order, JSON as text) to ``table``."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    executemany(
        connection,
        f"INSERT INTO {table.name} ({names}) VALUES ({codec_for(connection).marks(len(columns))})",
        rows,
    )
