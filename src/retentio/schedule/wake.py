"""How an idle worker waits: on PostgreSQL it listens for the notification ``enqueue`` sends when it
adds work due soon; on SQLite (one worker, no notifications between processes) it sleeps briefly.
Either way the wait is bounded, so a missed notification or a moved clock costs little."""

from __future__ import annotations

import threading
from typing import Any, Protocol

import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from retentio.schedule.queries import CHANNEL
from retentio.schedule.sql import WAKE_HORIZON

SQLITE_POLL_SECONDS = 1.0
# A stop request is noticed within this while listening.
LISTEN_SLICE_SECONDS = 0.5


class Waker(Protocol):
    longest_sleep: float

    def listen(self) -> None:
        """Start listening before the first look at the queue, so no enqueue falls in between."""
        ...

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Return after ``seconds``, when ``stop`` is set, or when new work may be due (``True``)."""
        ...

    def close(self) -> None: ...


class Sleeper:
    def __init__(self, longest_sleep: float = SQLITE_POLL_SECONDS) -> None:
        self.longest_sleep = longest_sleep

    def listen(self) -> None:
        return None

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        stop.wait(seconds)
        return False

    def close(self) -> None:
        return None


class Listener:
    """``LISTEN`` on a connection of its own, kept for the worker's life (reopened after a failure).
    Every notification pending when it wakes is read at once: many enqueues, one wake."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.longest_sleep = WAKE_HORIZON.total_seconds()
        self._connection: Connection | None = None

    def listen(self) -> None:
        self._driver()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        remaining = seconds
        while remaining > 0 and not stop.is_set():
            step = min(remaining, LISTEN_SLICE_SECONDS)
            try:
                if self._notified(step):
                    return True
            except (DBAPIError, psycopg.Error, OSError):  # the server went away: reconnect next time
                self.close()
                stop.wait(step)
            remaining -= step
        return False

    def close(self) -> None:
        if self._connection is not None:
            # Not back to the pool: a pooled connection still listening would gather notifications.
            self._connection.invalidate()
            self._connection.close()
            self._connection = None

    def _notified(self, seconds: float) -> bool:
        driver = self._driver()
        notified = any(True for _ in driver.notifies(timeout=seconds, stop_after=1))
        if notified:
            for _ in driver.notifies(timeout=0):  # drain: the backlog means the same thing
                pass
        return notified

    def _driver(self) -> Any:
        if self._connection is None:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"LISTEN {CHANNEL}")
            self._connection = connection
        return self._connection.connection.driver_connection


def waker_for(engine: Engine) -> Waker:
    return Listener(engine) if engine.dialect.name == "postgresql" else Sleeper()
