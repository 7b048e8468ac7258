"""Readers do not queue behind a writer: ``reader(engine)`` starts a deferred, query-only transaction
on SQLite (WAL lets it read the last committed state), while writers still start IMMEDIATE."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import OperationalError

from retentio.catalog.models import ProductUpsert
from retentio.catalog.service import do_upsert_products
from retentio.catalog.tables import products
from retentio.db.engine import make_engine, reader

READ_DEADLINE_SECONDS = 5.0


@contextmanager
def write_held_open(database_url: str, now: datetime) -> Iterator[Connection]:
    """A second engine (its own connection) inside a write transaction that has written a row and
    not committed: on SQLite it holds the write lock until the block ends."""
    writer_engine = make_engine(database_url)
    try:
        with writer_engine.begin() as connection:
            do_upsert_products(connection, [("pending", ProductUpsert(name="Pending"))], now, "RUB")
            yield connection
    finally:
        writer_engine.dispose()


def count_products(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(products)).scalar_one()


def test_a_reader_answers_while_a_writer_holds_the_lock(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # given
    with engine.begin() as connection:
        do_upsert_products(connection, [("kept", ProductUpsert(name="Kept"))], now, "RUB")
    with ThreadPoolExecutor(max_workers=1) as pool, write_held_open(database_url, now):
        # when
        counted = pool.submit(count_products, reader(engine))
        # then: the read finishes before the writer commits, and sees only the committed row
        assert counted.result(timeout=READ_DEADLINE_SECONDS) == 1
    assert count_products(reader(engine)) == 2


def test_on_sqlite_a_read_through_the_writing_engine_queues(
    engine: Engine, database_url: str, now: datetime
) -> None:
    """The contrast that makes ``reader`` necessary: a plain transaction starts IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers")
    with ThreadPoolExecutor(max_workers=1) as pool:
        with write_held_open(database_url, now):
            # when
            counted = pool.submit(count_products, engine)
            # then
            with pytest.raises(FutureTimeout):
                counted.result(timeout=0.5)
        assert counted.result(timeout=READ_DEADLINE_SECONDS) == 1


def test_on_sqlite_a_reader_refuses_to_write_and_the_connection_writes_again_after(
    engine: Engine, now: datetime
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("query-only transactions are enforced on SQLite only")
    # when
    with pytest.raises(OperationalError, match="readonly"), reader(engine).begin() as connection:
        do_upsert_products(connection, [("refused", ProductUpsert(name="Refused"))], now, "RUB")
    # then: the pooled connection is back to writing for the next ordinary transaction
    with engine.begin() as connection:
        do_upsert_products(connection, [("stored", ProductUpsert(name="Stored"))], now, "RUB")
    with engine.connect() as connection:
        skus = connection.execute(select(products.c.sku)).scalars().all()
    assert skus == ["stored"]
