"""Test consumers of the log that write what they read into a table of their own, in the runner's
transaction: what that table holds is exactly what was consumed and committed, once or not at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    insert,
    select,
)

from retentio.events.envelope import Event
from retentio.events.log import LoggedEvent
from retentio.events.store import append_new_events

_TABLES = MetaData()

consumed = Table(
    "test_consumed",
    _TABLES,
    Column("consumer", String(64), nullable=False),
    Column("tx", BigInteger, nullable=False),
    Column("event_row", BigInteger, nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("derived", Boolean, nullable=False),
)


@contextmanager
def consumed_table(engine: Engine) -> Iterator[None]:
    """The table the recording consumers write to, for one test (dropped after: on PostgreSQL the
    database outlives the test)."""
    _TABLES.drop_all(engine)
    _TABLES.create_all(engine)
    try:
        yield
    finally:
        _TABLES.drop_all(engine)


def record(connection: Connection, name: str, batch: Sequence[LoggedEvent]) -> None:
    rows = [
        {
            "consumer": name,
            "tx": logged.position.tx,
            "event_row": logged.position.row,
            "event_id": logged.event.event_id,
            "derived": logged.event.derived,
        }
        for logged in batch
    ]
    connection.execute(insert(consumed), rows)


def consumed_ids(engine: Engine, name: str) -> list[str]:
    """The event ids ``name`` consumed, in log order (a repeat would show twice)."""
    with engine.connect() as connection:
        query = (
            select(consumed.c.event_id)
            .where(consumed.c.consumer == name)
            .order_by(consumed.c.tx, consumed.c.event_row)
        )
        return list(connection.scalars(query))


def consumed_rows(engine: Engine, name: str) -> list[tuple[str, bool]]:
    """(event id, derived) of what ``name`` consumed, in log order."""
    with engine.connect() as connection:
        query = (
            select(consumed.c.event_id, consumed.c.derived)
            .where(consumed.c.consumer == name)
            .order_by(consumed.c.tx, consumed.c.event_row)
        )
        return [(row.event_id, row.derived) for row in connection.execute(query)]


@dataclass(frozen=True)
class Recorder:
    """Writes down every event of every batch."""

    name: str = "recorder"

    event_types: frozenset[str] | None = None

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        record(connection, self.name, batch)


@dataclass(frozen=True)
class StopsHalfway:
    """Writes down the first half of the batch, then fails."""

    name: str = "recorder"

    event_types: frozenset[str] | None = None

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        record(connection, self.name, batch[: len(batch) // 2])
        raise RuntimeError("stopped halfway through the batch")


@dataclass
class Holds:
    """Writes down its batch, then keeps its transaction open until ``release`` is set."""

    name: str = "recorder"
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    event_types: frozenset[str] | None = None

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        record(connection, self.name, batch)
        self.holding.set()
        assert self.release.wait(60), "never released"


@dataclass(frozen=True)
class Echo:
    """Answers every event a client sent with a derived ``custom.echo`` event."""

    name: str = "echo"

    event_types: frozenset[str] | None = None

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        echoes = [_echo(logged.event, now) for logged in batch if not logged.event.derived]
        append_new_events(connection, echoes, now)


def _echo(event: Event, now: datetime) -> Event:
    properties: dict[str, Any] = {"of": event.event_id}
    return Event(
        event_id=f"echo:{event.event_id}",
        type="custom.echo",
        customer_id=event.customer_id,
        anonymous_id=None,
        occurred_at=now,
        properties=properties,
        typed=None,
        derived=True,
    )
