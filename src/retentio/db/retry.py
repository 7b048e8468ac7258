"""Running one unit of work in a transaction that the database may abort and a retry fixes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

T = TypeVar("T")
ATTEMPTS = 5


def in_transaction(engine: Engine, work: Callable[[Connection], T], attempts: int = ATTEMPTS) -> T:
    """``work`` in one transaction; retried whole when PostgreSQL aborts one of two crossing
    transactions (deadlock, serialization failure) or SQLite stays locked past its busy timeout."""
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                return work(connection)
        except OperationalError as error:
            if attempt == attempts - 1 or not is_retryable(error):
                raise
    raise AssertionError("unreachable")


def is_retryable(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None)
    return code in {"40P01", "40001"} or "database is locked" in str(error.orig)
