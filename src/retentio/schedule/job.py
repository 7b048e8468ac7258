"""What a handler is given: the row it runs, "now", and the completing transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retentio.schedule.work import DueWork, NewWork


class Job:
    """One run of one row. Work it ``enqueue``s commits with the row's completion, or not at all."""

    __slots__ = ("_connection", "follow_ups", "now", "work")

    def __init__(self, work: DueWork, now: datetime, connection: Connection | None) -> None:
        self.work = work
        self.now = now
        self._connection = connection
        self.follow_ups: list[NewWork] = []

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.work.payload

    @property
    def connection(self) -> Connection:
        """The transaction that marks this row done: effects written here happen exactly once."""
        if self._connection is None:
            raise RuntimeError(
                f"{self.work.kind} runs outside a database transaction (an at-least-once kind, or the "
                "in-memory queue): it has no connection"
            )
        return self._connection

    def enqueue(self, *items: NewWork) -> None:
        self.follow_ups.extend(items)
