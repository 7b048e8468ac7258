"""Running a transaction again when the database gave it up for crossing another one.

PostgreSQL aborts one of two transactions that wait on each other (deadlock) or that it cannot
serialise; SQLite may report its write lock busy. Nothing of the aborted transaction was kept, so
running the whole unit of work again is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

T = TypeVar("T")
ATTEMPTS = 5


def is_retryable(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None)
    return code in {"40P01", "40001"} or "database is locked" in str(error.orig)


def in_one_transaction(engine: Engine, work: Callable[[Connection], T], attempts: int = ATTEMPTS) -> T:
    """``work`` in a transaction of its own, committed when it returns; run again from the start
    when the database gave the transaction up."""
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                return work(connection)
        except OperationalError as error:
            if attempt == attempts - 1 or not is_retryable(error):
                raise
    raise AssertionError("unreachable")
