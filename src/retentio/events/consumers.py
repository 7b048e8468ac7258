"""Consumers of the log: each reads the events past its checkpoint in order, does its effects and
moves its checkpoint in the same transaction, so every effect happens once however often it stops.

The runner is the same for every area: an area supplies a ``Consumer`` (a name and what to do with a
batch), the wiring layer (``retentio worker``, ``serve``, the importers) runs it. On PostgreSQL any
number of processes may run the same consumers: a transaction-level advisory lock lets one of them
take a consumer's next batch while the others move on to other consumers.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, Engine, select, text

from retentio.clock import Clock
from retentio.db.batches import collector_paused, upsert
from retentio.db.engine import reader
from retentio.db.retry import in_transaction
from retentio.events.log import (
    START,
    LoggedEvent,
    Position,
    Window,
    count_after,
    last_position,
    oldest_after,
    read_after,
    read_window,
)
from retentio.events.tables import consumer_checkpoints

BATCH = 10_000
# The advisory locks of consumers share this first key, so they cannot collide with other users'.
_LOCK_CLASS = 0x52_45_54  # "RET"
# An idle loop looks for new events this often.
IDLE_SECONDS = 0.2
# While another writer's transaction holds back what can be read, ``drain`` looks again this often.
_SETTLE_SECONDS = 0.01
# ``drain`` gives up when no consumer has moved for this long while some are behind: a transaction
# left open elsewhere (or a consumer that cannot read what it is behind) would otherwise hold it forever.
STALL_SECONDS = 60.0


class DrainStalled(RuntimeError):
    """``drain`` waited ``STALL_SECONDS`` without any consumer moving while some were behind."""


class Consumer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def event_types(self) -> frozenset[str] | None:
        """The event types it reads (None: every type). Naming them lets the log's read skip the
        rest in SQL: with seven consumers, each decoding every event cost more than its work."""
        ...

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        """Do the effects of ``batch`` inside ``connection``'s transaction (the checkpoint commits
        with them); raising rolls both back and the batch is read again next time."""
        ...


@dataclass(frozen=True, slots=True)
class ConsumerLag:
    consumer: str
    position: Position
    behind: int  # settled events still to read
    oldest_waiting: datetime | None  # when the first of them was received

    def seconds_behind(self, now: datetime) -> float:
        return 0.0 if self.oldest_waiting is None else max((now - self.oldest_waiting).total_seconds(), 0.0)


def consume_next(engine: Engine, consumer: Consumer, now: datetime, limit: int = BATCH) -> int:
    """Run ``consumer`` over its next batch; returns the events consumed (0: nothing new, or another
    process is running it right now)."""
    if not _has_work(engine, consumer.name):
        return 0
    # A batch builds many small acyclic objects, as ingest does (``db.batches.collector_paused``).
    with collector_paused():
        return in_transaction(engine, lambda connection: _consume(connection, consumer, now, limit))


def drain(
    engine: Engine,
    consumers: Sequence[Consumer],
    clock: Clock,
    limit: int = BATCH,
    stall_seconds: float | None = None,
) -> int:
    """Run every consumer until each has read every event committed so far (events one derives are
    read by the others); for importers, the demo and tests, which want every effect made before they
    go on. On PostgreSQL it waits while another writer's open transaction holds back what can be
    read (``events.log``), and raises ``DrainStalled`` when nothing has moved for
    ``stall_seconds`` (default ``STALL_SECONDS``)."""
    patience = STALL_SECONDS if stall_seconds is None else stall_seconds
    total = 0
    last_moved = time.monotonic()
    while True:
        done = sum(consume_next(engine, consumer, clock.now(), limit) for consumer in consumers)
        total += done
        if done:
            last_moved = time.monotonic()
            continue
        behind = _behind(engine, consumers)
        if not behind:
            return total
        if time.monotonic() - last_moved > patience:
            raise DrainStalled(_stalled_message(behind, patience))
        time.sleep(_SETTLE_SECONDS)


def run_until_stopped(
    engine: Engine, consumers: Sequence[Consumer], clock: Clock, stop: threading.Event, limit: int = BATCH
) -> None:
    """The background loop of ``serve`` and ``worker``: consume while there is work, then look again
    every ``IDLE_SECONDS``, until ``stop`` is set."""
    while not stop.is_set():
        done = sum(consume_next(engine, consumer, clock.now(), limit) for consumer in consumers)
        if done == 0:
            stop.wait(IDLE_SECONDS)


def consumer_lags(connection: Connection, names: Sequence[str]) -> list[ConsumerLag]:
    lags = []
    for name in names:
        position = checkpoint(connection, name)
        lags.append(
            ConsumerLag(name, position, count_after(connection, position), oldest_after(connection, position))
        )
    return lags


def checkpoint(connection: Connection, name: str) -> Position:
    row = connection.execute(
        select(consumer_checkpoints.c.tx, consumer_checkpoints.c.event_row).where(
            consumer_checkpoints.c.consumer == name
        )
    ).first()
    return START if row is None else Position(row.tx, row.event_row)


def _behind(engine: Engine, consumers: Sequence[Consumer]) -> dict[str, tuple[Position, Position]]:
    """The consumers whose checkpoint is short of the last committed event: name -> (checkpoint, end)."""
    with reader(engine).connect() as connection:
        end = last_position(connection)
        positions = {consumer.name: checkpoint(connection, consumer.name) for consumer in consumers}
    return {name: (position, end) for name, position in positions.items() if position < end}


def _stalled_message(behind: dict[str, tuple[Position, Position]], patience: float) -> str:
    where = "; ".join(
        f"{name} at {position.tx}.{position.row}, the log ends at {end.tx}.{end.row}"
        for name, (position, end) in behind.items()
    )
    return (
        f"consumers made no progress for {patience:g} s while behind ({where}): a transaction left "
        "open on this database holds back what they may read (see pg_stat_activity), or the "
        "consumer cannot read past its checkpoint"
    )


def _has_work(engine: Engine, name: str) -> bool:
    """A look without the write lock, so an idle consumer never queues behind (or blocks) ingest."""
    with reader(engine).connect() as connection:
        return bool(read_after(connection, checkpoint(connection, name), 1))


def _consume(connection: Connection, consumer: Consumer, now: datetime, limit: int) -> int:
    if not _claim(connection, consumer.name):
        return 0
    position = checkpoint(connection, consumer.name)
    types = consumer.event_types
    if types is None:
        batch = read_after(connection, position, limit)
        window = Window(batch, batch[-1].position if batch else None, len(batch))
    else:
        window = read_window(connection, position, limit, types)
    if window.end is None:
        return 0
    if window.events:
        consumer.consume(connection, window.events, now)
    row = {"consumer": consumer.name, "tx": window.end.tx, "event_row": window.end.row, "updated_at": now}
    upsert(connection, consumer_checkpoints, [row])
    return window.passed


def _claim(connection: Connection, name: str) -> bool:
    """On PostgreSQL, hold the consumer until this transaction ends, or give up at once if another
    process holds it; SQLite's write lock already lets one writer in at a time."""
    if connection.dialect.name != "postgresql":
        return True
    key = zlib.crc32(name.encode()) - 2**31  # PostgreSQL's int4 is signed
    query = text("SELECT pg_try_advisory_xact_lock(:class, :key)")
    return bool(connection.execute(query, {"class": _LOCK_CLASS, "key": key}).scalar_one())
