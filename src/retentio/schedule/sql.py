"""The queue on SQLite or PostgreSQL, through the driver's own cursor (``queries``), and ``enqueue``:
how any area adds work in its own transaction, so the work commits with the change that asked for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from retentio.db.codec import Codec, codec_for
from retentio.db.engine import reader
from retentio.schedule.queries import queries_for
from retentio.schedule.work import LEASE_EXPIRED, DueWork, Failure, NewWork

# Work due within this horizon wakes PostgreSQL workers at once; later work is found by the workers'
# own timers, which never sleep longer than this.
WAKE_HORIZON = timedelta(seconds=30)


def enqueue(connection: Connection, items: Sequence[NewWork], now: datetime) -> int:
    """Add work in the caller's transaction; a kind and key already present (waiting, done or dead)
    is skipped. The number of rows added."""
    if not items:
        return 0
    codec = codec_for(connection)
    sql = queries_for(connection.dialect.name).enqueue
    payloads = [_payload_json(item) for item in items]
    cursor = _cursor(connection)
    try:
        if codec.is_postgres:
            cursor.execute(sql, _postgres_items(items, payloads, now))
            added: int = cursor.fetchone()[0]
            return added
        cursor.executemany(sql, _sqlite_items(codec, items, payloads, now))
        return int(cursor.rowcount)
    finally:
        cursor.close()


class SqlQueue:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.codec = Codec(engine.dialect.name)
        self.queries = queries_for(engine.dialect.name)

    def claim(
        self, kinds: Sequence[str], owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueWork]:
        parameters = {
            **self._kinds(kinds),
            "now": self.codec.timestamp(now),
            "until": self.codec.timestamp(lease_until),
            "owner": owner,
            "limit": limit,
            "expired_error": LEASE_EXPIRED.message,
            "expired_type": LEASE_EXPIRED.type,
        }
        with self.engine.begin() as connection:
            _execute(connection, self.queries.expire, parameters)
            rows = _fetch(connection, self.queries.claim, parameters)
        claimed = [decode(self.codec, row) for row in rows]
        claimed.sort(key=lambda work: (work.due_at, work.id))  # RETURNING keeps no order
        return claimed

    def extend(self, ids: Sequence[int], owner: str, until: datetime) -> int:
        parameters = {**self._ids(ids), "owner": owner, "until": self.codec.timestamp(until)}
        with self.engine.begin() as connection:
            return _execute(connection, self.queries.extend, parameters)

    def next_due(self, kinds: Sequence[str]) -> datetime | None:
        with reader(self.engine).begin() as connection:
            due, lease_ends = _fetch(connection, self.queries.next_due, self._kinds(kinds))[0]
        times = [self.codec.read_timestamp(value) for value in (due, lease_ends) if value is not None]
        return min((time for time in times if time is not None), default=None)

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        with self.engine.begin() as connection:
            yield SqlTransaction(self, connection)

    def _kinds(self, kinds: Sequence[str]) -> dict[str, Any]:
        return {"kinds": list(kinds) if self.codec.is_postgres else orjson.dumps(list(kinds)).decode()}

    def _ids(self, ids: Sequence[int]) -> dict[str, Any]:
        return {"ids": list(ids) if self.codec.is_postgres else orjson.dumps(list(ids)).decode()}


class SqlTransaction:
    def __init__(self, queue: SqlQueue, connection: Connection) -> None:
        self._queue = queue
        self._connection = connection

    @property
    def connection(self) -> Connection:
        return self._connection

    def enqueue(self, items: Sequence[NewWork], now: datetime) -> int:
        return enqueue(self._connection, items, now)

    def complete(self, ids: Sequence[int], owner: str, now: datetime) -> int:
        parameters = {**self._queue._ids(ids), "owner": owner, "now": self._queue.codec.timestamp(now)}
        return _execute(self._connection, self._queue.queries.complete, parameters)

    def fail(
        self, work_id: int, owner: str, failure: Failure, retry_at: datetime | None, now: datetime
    ) -> bool:
        codec = self._queue.codec
        parameters = {
            **self._queue._ids([work_id]),
            "owner": owner,
            "now": codec.timestamp(now),
            "until": codec.timestamp(retry_at),
            "error": failure.message,
            "error_type": failure.type,
        }
        sql = self._queue.queries.bury if retry_at is None else self._queue.queries.retry
        return _execute(self._connection, sql, parameters) == 1


def decode(codec: Codec, row: Sequence[Any]) -> DueWork:
    """A row in ``queries.COLUMNS`` order, as the driver returns it (positional: a batch decodes
    hundreds of rows, and keyword arguments cost more than the rest of the work)."""
    read = codec.read_timestamp
    return DueWork(
        row[0],
        row[1],
        row[2],
        row[3],
        read(row[4]),  # type: ignore[arg-type]  # never NULL
        codec.read_json(row[5]),
        row[6],
        read(row[7]),
        row[8],
        row[9],
        row[10],
        read(row[11]),
        read(row[12]),
    )


def _payload_json(item: NewWork) -> str:
    try:
        return orjson.dumps(item.payload).decode()
    except TypeError as error:
        raise ValueError(f"payload of {item.kind} {item.key!r} is not JSON: {error}") from None


def _postgres_items(items: Sequence[NewWork], payloads: list[str], now: datetime) -> dict[str, Any]:
    return {
        "kinds": [item.kind for item in items],
        "keys": [item.key for item in items],
        "due": [item.due_at for item in items],
        "payloads": payloads,
        "now": now,
        "soon": now + WAKE_HORIZON,
    }


def _sqlite_items(
    codec: Codec, items: Sequence[NewWork], payloads: list[str], now: datetime
) -> list[dict[str, Any]]:
    created = codec.timestamp(now)
    return [
        {
            "kind": item.kind,
            "key": item.key,
            "due_at": codec.timestamp(item.due_at),
            "payload": payload,
            "now": created,
        }
        for item, payload in zip(items, payloads, strict=True)
    ]


def _execute(connection: Connection, sql: str, parameters: Mapping[str, Any]) -> int:
    cursor = _cursor(connection)
    try:
        cursor.execute(sql, parameters)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def _fetch(connection: Connection, sql: str, parameters: Mapping[str, Any]) -> list[Any]:
    cursor = _cursor(connection)
    try:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _cursor(connection: Connection) -> Any:
    """The DBAPI cursor of the connection's transaction (binary on PostgreSQL, as ``db.codec``)."""
    if connection.dialect.name == "postgresql":
        return connection.connection.driver_connection.cursor(binary=True)  # type: ignore[union-attr]
    return connection.connection.cursor()
