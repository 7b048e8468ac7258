"""What an operator sees and repairs (``retentio queue``): rows by state and kind, counts, dead
letters sent back to the queue, and done rows purged once their keys no longer need guarding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from retentio.schedule.queries import NOTIFY, counts, listed, purged, revived, states_of
from retentio.schedule.work import STATES, DueWork, State


@dataclass(frozen=True, slots=True)
class KindCounts:
    kind: str
    by_state: dict[str, int] = field(default_factory=dict)
    oldest_due: datetime | None = None  # of its waiting rows


class NotRetryable(Exception):
    """A row asked for by id is missing or not dead; nothing was changed."""


def list_work(connection: Connection, state: State | None, kind: str | None, limit: int) -> list[DueWork]:
    return [DueWork(**row._mapping) for row in connection.execute(listed(state, kind, limit))]


def count_work(connection: Connection) -> list[KindCounts]:
    by_kind: dict[str, dict[str, int]] = {}
    oldest_due: dict[str, datetime | None] = {}
    for kind, state, count, oldest in connection.execute(counts()):
        by_kind.setdefault(kind, dict.fromkeys(STATES, 0))[state] = count
        if state == "waiting":
            oldest_due[kind] = oldest
    return [KindCounts(kind, by_state, oldest_due.get(kind)) for kind, by_state in by_kind.items()]


def do_retry_dead(connection: Connection, ids: list[int] | None, now: datetime) -> list[int]:
    """Send dead rows (those of ``ids``, or all when ``None``) back to waiting, due now, with their
    attempts counted afresh. Refuses the whole request when an id is missing or not dead."""
    if ids is not None:
        states: dict[int, str] = dict(connection.execute(states_of(ids)).all())
        for work_id in ids:
            if work_id not in states:
                raise NotRetryable(f"no due work with id {work_id}")
            if states[work_id] != "dead":
                raise NotRetryable(f"due work {work_id} is {states[work_id]}, not dead")
    retried = sorted(connection.execute(revived(ids, now)).scalars())
    if retried and connection.dialect.name == "postgresql":
        connection.exec_driver_sql(NOTIFY)
    return retried


def do_purge_done(connection: Connection, finished_before: datetime) -> int:
    """Delete done rows finished before the cut-off; their keys can then be enqueued again."""
    return int(connection.execute(purged(finished_before)).rowcount)
