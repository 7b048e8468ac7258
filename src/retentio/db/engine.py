"""Engine construction: the embedded SQLite file (WAL, foreign keys) or PostgreSQL via psycopg 3.

On SQLite a transaction starts IMMEDIATE (it takes the write lock at once) unless it comes from
``reader(engine)``: those start a deferred, query-only transaction, which WAL lets run beside a writer.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from retentio.db.checkpoint import WAL_KEPT_BYTES, WRITER_CHECKPOINT_PAGES, Checkpointer

READ_ONLY_OPTION = "retentio_read_only"


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; ``postgresql://`` is read as psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")
    return create_engine(
        parsed,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
    )


def reader(engine: Engine) -> Engine:
    """``engine`` for paths that only read (API GETs, reports): on SQLite they never wait for the
    write lock and refuse to write (``attempt to write a readonly database``). It shares ``engine``'s
    pool; PostgreSQL behaves exactly as with ``engine``."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"timeout": 60},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # pysqlite's own transaction handling emits BEGIN lazily; we take it over so that a write
        # transaction starts IMMEDIATE and two writers queue instead of failing on upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA cache_size=-65536")
        # The log is checkpointed by the engine's background thread (``db.checkpoint``); a commit
        # does it only as a last resort.
        cursor.execute(f"PRAGMA wal_autocheckpoint={WRITER_CHECKPOINT_PAGES}")
        # Once checkpointed, a log grown by one big transaction is cut back instead of kept on disk.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_KEPT_BYTES}")
        cursor.close()

    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        checkpointer = Checkpointer(os.path.abspath(database))

        @event.listens_for(engine, "commit")
        def _on_commit(_connection: Connection) -> None:
            checkpointer.committed()

        @event.listens_for(engine, "engine_disposed")
        def _on_dispose(_engine: Engine) -> None:
            checkpointer.settle()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = bool(connection.get_execution_options().get(READ_ONLY_OPTION, False))
        _set_query_only(connection, read_only)
        # A writer takes the lock up front so two writers queue instead of failing on upgrade; a reader
        # starts deferred and reads its WAL snapshot while a writer holds the lock.
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _set_query_only(connection: Connection, read_only: bool) -> None:
    """Pooled connections serve readers and writers in turn; the pragma is set only when it changes."""
    info = connection.connection.info
    if info.get(READ_ONLY_OPTION, False) != read_only:
        connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        info[READ_ONLY_OPTION] = read_only
