"""The port the runner needs from storage; ``sql.SqlQueue`` is the real one, ``memory.MemoryQueue``
its in-memory twin for unit tests. Every write that takes a lease's row checks the owner, so a
worker whose lease was taken over changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from retentio.schedule.work import DueWork, Failure, NewWork


class QueueTransaction(Protocol):
    @property
    def connection(self) -> Connection | None:
        """The database transaction handlers of exactly-once kinds write through (none in memory)."""
        ...

    def enqueue(self, items: Sequence[NewWork], now: datetime) -> int:
        """Add work; a kind and key already present is skipped. The number of rows added."""
        ...

    def complete(self, ids: Sequence[int], owner: str, now: datetime) -> int:
        """Mark rows ``owner`` still holds done; the number marked."""
        ...

    def fail(
        self, work_id: int, owner: str, failure: Failure, retry_at: datetime | None, now: datetime
    ) -> bool:
        """Record a failure: waiting again from ``retry_at``, or dead when it is ``None``."""
        ...


class QueueStore(Protocol):
    def claim(
        self, kinds: Sequence[str], owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueWork]:
        """Lease up to ``limit`` due rows of ``kinds``, earliest due first, counting an attempt each.
        Rows whose lease has ended go back to waiting first, and are claimed like the others."""
        ...

    def extend(self, ids: Sequence[int], owner: str, until: datetime) -> int:
        """Lengthen the lease of rows ``owner`` holds; the number still held."""
        ...

    def next_due(self, kinds: Sequence[str]) -> datetime | None:
        """When something next needs a worker: the earliest due waiting row or ending lease."""
        ...

    def transaction(self) -> AbstractContextManager[QueueTransaction]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        ...
