"""The queue in memory: the same port as the SQL store, for unit tests of the runner (retries,
backoff, dead letters, lease takeover) with an injected clock and no database.

A transaction that raises undoes only its own writes, as a database would: a claim made meanwhile
(another worker's) stays."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retentio.schedule.work import LEASE_EXPIRED, DueWork, Failure, NewWork


class MemoryQueue:
    def __init__(self) -> None:
        self.rows: dict[int, DueWork] = {}
        self._next_id = 1

    def claim(
        self, kinds: Sequence[str], owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueWork]:
        for row in self.of(kinds, "running"):
            if row.leased_until is not None and row.leased_until <= now:
                self.put(row, state="waiting", leased_until=None, **_error(LEASE_EXPIRED))
        due = sorted((row for row in self.of(kinds, "waiting") if row.due_at <= now), key=_due_order)
        return [
            self.put(
                row, state="running", leased_until=lease_until, lease_owner=owner, attempts=row.attempts + 1
            )
            for row in due[:limit]
        ]

    def extend(self, ids: Sequence[int], owner: str, until: datetime) -> int:
        held = self.held(ids, owner)
        for row in held:
            self.put(row, leased_until=until)
        return len(held)

    def next_due(self, kinds: Sequence[str]) -> datetime | None:
        times = [row.due_at for row in self.of(kinds, "waiting")]
        times += [row.leased_until for row in self.of(kinds, "running") if row.leased_until is not None]
        return min(times, default=None)

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        transaction = MemoryTransaction(self)
        try:
            yield transaction
        except BaseException:
            transaction.undo()
            raise

    def enqueue(self, items: Sequence[NewWork], now: datetime) -> int:
        """Outside any transaction: how tests put work in."""
        with self.transaction() as transaction:
            return transaction.enqueue(items, now)

    def held(self, ids: Sequence[int], owner: str) -> list[DueWork]:
        found = (self.rows.get(work_id) for work_id in ids)
        return [row for row in found if row and row.state == "running" and row.lease_owner == owner]

    def of(self, kinds: Sequence[str], state: str) -> list[DueWork]:
        return [row for row in self.rows.values() if row.state == state and row.kind in kinds]

    def put(self, row: DueWork, **changes: Any) -> DueWork:
        changed = replace(row, **changes)
        self.rows[row.id] = changed
        return changed

    def add(self, item: NewWork, now: datetime) -> DueWork | None:
        if any(row.kind == item.kind and row.key == item.key for row in self.rows.values()):
            return None
        row = DueWork(
            self._next_id, item.kind, item.key, "waiting", item.due_at, dict(item.payload), 0, created_at=now
        )
        self.rows[row.id] = row
        self._next_id += 1
        return row


class MemoryTransaction:
    def __init__(self, queue: MemoryQueue) -> None:
        self._queue = queue
        self._before: dict[int, DueWork | None] = {}  # each row this transaction wrote, as it was

    @property
    def connection(self) -> Connection | None:
        return None

    def enqueue(self, items: Sequence[NewWork], now: datetime) -> int:
        added = [row for row in (self._queue.add(item, now) for item in items) if row is not None]
        for row in added:
            self._before.setdefault(row.id, None)
        return len(added)

    def complete(self, ids: Sequence[int], owner: str, now: datetime) -> int:
        held = self._queue.held(ids, owner)
        for row in held:
            self._put(row, state="done", leased_until=None, finished_at=now)
        return len(held)

    def fail(
        self, work_id: int, owner: str, failure: Failure, retry_at: datetime | None, now: datetime
    ) -> bool:
        held = self._queue.held([work_id], owner)
        for row in held:
            if retry_at is None:
                self._put(row, state="dead", leased_until=None, finished_at=now, **_error(failure))
            else:
                self._put(row, state="waiting", leased_until=None, due_at=retry_at, **_error(failure))
        return bool(held)

    def undo(self) -> None:
        for work_id, row in self._before.items():
            if row is None:
                del self._queue.rows[work_id]
            else:
                self._queue.rows[work_id] = row

    def _put(self, row: DueWork, **changes: Any) -> None:
        self._before.setdefault(row.id, row)
        self._queue.put(row, **changes)


def _error(failure: Failure) -> dict[str, str]:
    return {"last_error": failure.message, "last_error_type": failure.type}


def _due_order(row: DueWork) -> tuple[datetime, int]:
    return row.due_at, row.id
