"""Every query of the due-work queue, by name: the hot path (claim, complete, enqueue) as SQL per
dialect for the driver's own cursor, the operator's reads and repairs as SQLAlchemy Core.

The state literals stay in the SQL text: SQLite uses a partial index only when the query's WHERE
names the index's own condition, which a bound parameter never does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Select, Update, delete, exists, func, select, update

from retentio.schedule.tables import due_work
from retentio.schedule.work import State

# PostgreSQL's channel for "work was enqueued that is due soon"; the payload stays empty, so the
# notifications of one transaction collapse into one.
CHANNEL = "retentio_due_work"
COLUMNS = (
    "id, kind, key, state, due_at, payload, attempts, leased_until, lease_owner, last_error,"
    " last_error_type, created_at, finished_at"
)


@dataclass(frozen=True, slots=True)
class Queries:
    """Parameters are named: ``now``, ``kinds``, ``ids``, ``owner``, ``until``, ``limit`` and so on."""

    expire: str
    claim: str
    extend: str
    next_due: str
    enqueue: str
    complete: str
    retry: str
    bury: str


_PG_KINDS = "kind = ANY(%(kinds)s)"
_PG_HELD = "id = ANY(%(ids)s) AND state = 'running' AND lease_owner = %(owner)s"

POSTGRESQL = Queries(
    # Leases that ended go back to waiting first, in the claim's transaction; SKIP LOCKED lets
    # workers claim side by side without waiting for each other.
    expire=f"""
UPDATE due_work SET state = 'waiting', leased_until = NULL,
    last_error = %(expired_error)s, last_error_type = %(expired_type)s
WHERE id = ANY(ARRAY(
    SELECT id FROM due_work WHERE state = 'running' AND leased_until <= %(now)s AND {_PG_KINDS}
    FOR UPDATE SKIP LOCKED))""",
    # ``id = ANY(ARRAY(...))`` reaches the chosen rows by primary key; a join or ``IN`` with the
    # subquery lets the planner hash-join a scan of the whole table, done rows included.
    claim=f"""
UPDATE due_work SET state = 'running', leased_until = %(until)s, lease_owner = %(owner)s,
    attempts = attempts + 1
WHERE id = ANY(ARRAY(
    SELECT id FROM due_work WHERE state = 'waiting' AND due_at <= %(now)s AND {_PG_KINDS}
    ORDER BY due_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED))
RETURNING {COLUMNS}""",
    extend=f"UPDATE due_work SET leased_until = %(until)s WHERE {_PG_HELD}",
    next_due=f"""
SELECT (SELECT min(due_at) FROM due_work WHERE state = 'waiting' AND {_PG_KINDS}),
       (SELECT min(leased_until) FROM due_work WHERE state = 'running' AND {_PG_KINDS})""",
    # One round trip: the rows, and one notification when any of them is due soon.
    enqueue=f"""
WITH added AS (
    INSERT INTO due_work (kind, key, state, due_at, payload, attempts, created_at)
    SELECT kind, key, 'waiting', due_at, payload::jsonb, 0, %(now)s
    FROM unnest(%(kinds)s::text[], %(keys)s::text[], %(due)s::timestamptz[], %(payloads)s::text[])
        AS item(kind, key, due_at, payload)
    ON CONFLICT (kind, key) DO NOTHING
    RETURNING due_at
), woken AS (
    SELECT pg_notify('{CHANNEL}', '') FROM (SELECT 1 FROM added WHERE due_at <= %(soon)s LIMIT 1) AS soon
)
SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM woken)""",
    complete=f"""
UPDATE due_work SET state = 'done', leased_until = NULL, finished_at = %(now)s
WHERE {_PG_HELD}""",
    retry=f"""
UPDATE due_work SET state = 'waiting', leased_until = NULL, due_at = %(until)s,
    last_error = %(error)s, last_error_type = %(error_type)s
WHERE {_PG_HELD}""",
    bury=f"""
UPDATE due_work SET state = 'dead', leased_until = NULL, finished_at = %(now)s,
    last_error = %(error)s, last_error_type = %(error_type)s
WHERE {_PG_HELD}""",
)

# Lists travel as one JSON array parameter, so each query is one fixed text whatever its length.
# The unary plus keeps SQLite off the (kind, key) index, which it would otherwise prefer to the
# partial ones and then sort every row of the kind, done rows included.
_LITE_KINDS = "+kind IN (SELECT value FROM json_each(:kinds))"
_LITE_HELD = "id IN (SELECT value FROM json_each(:ids)) AND state = 'running' AND lease_owner = :owner"

SQLITE = Queries(
    expire=f"""
UPDATE due_work SET state = 'waiting', leased_until = NULL,
    last_error = :expired_error, last_error_type = :expired_type
WHERE state = 'running' AND leased_until <= :now AND {_LITE_KINDS}""",
    claim=f"""
UPDATE due_work SET state = 'running', leased_until = :until, lease_owner = :owner, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM due_work WHERE state = 'waiting' AND due_at <= :now AND {_LITE_KINDS}
    ORDER BY due_at LIMIT :limit)
RETURNING {COLUMNS}""",
    extend=f"UPDATE due_work SET leased_until = :until WHERE {_LITE_HELD}",
    next_due=f"""
SELECT (SELECT min(due_at) FROM due_work WHERE state = 'waiting' AND {_LITE_KINDS}),
       (SELECT min(leased_until) FROM due_work WHERE state = 'running' AND {_LITE_KINDS})""",
    enqueue="""
INSERT INTO due_work (kind, key, state, due_at, payload, attempts, created_at)
VALUES (:kind, :key, 'waiting', :due_at, :payload, 0, :now)
ON CONFLICT (kind, key) DO NOTHING""",
    complete=f"""
UPDATE due_work SET state = 'done', leased_until = NULL, finished_at = :now
WHERE {_LITE_HELD}""",
    retry=f"""
UPDATE due_work SET state = 'waiting', leased_until = NULL, due_at = :until,
    last_error = :error, last_error_type = :error_type
WHERE {_LITE_HELD}""",
    bury=f"""
UPDATE due_work SET state = 'dead', leased_until = NULL, finished_at = :now,
    last_error = :error, last_error_type = :error_type
WHERE {_LITE_HELD}""",
)


def queries_for(dialect_name: str) -> Queries:
    return POSTGRESQL if dialect_name == "postgresql" else SQLITE


# The operator's reads and repairs (``retentio queue``): rare, so plain Core on both dialects.


def listed(state: State | None, kind: str | None, limit: int) -> Select[*tuple[Any, ...]]:
    query = select(due_work).order_by(due_work.c.due_at, due_work.c.id).limit(limit)
    if state is not None:
        query = query.where(due_work.c.state == state)
    if kind is not None:
        query = query.where(due_work.c.kind == kind)
    return query


def counts() -> Select[str, str, int, datetime | None]:
    return (
        select(due_work.c.kind, due_work.c.state, func.count(), func.min(due_work.c.due_at))
        .group_by(due_work.c.kind, due_work.c.state)
        .order_by(due_work.c.kind, due_work.c.state)
    )


def revived(ids: list[int] | None, now: datetime) -> Update:
    """Dead rows waiting again from ``now`` with fresh attempts; the last error stays for reference."""
    query = update(due_work).where(due_work.c.state == "dead")
    if ids is not None:
        query = query.where(due_work.c.id.in_(ids))
    return query.values(state="waiting", due_at=now, attempts=0, finished_at=None).returning(due_work.c.id)


def purged(finished_before: datetime) -> Delete:
    return delete(due_work).where(due_work.c.state == "done", due_work.c.finished_at < finished_before)


def pending_of(kind: str) -> Select[bool]:
    """Whether a row of ``kind`` waits or runs."""
    return select(exists().where(due_work.c.kind == kind, due_work.c.state.in_(("waiting", "running"))))


def states_of(ids: list[int]) -> Select[int, str]:
    return select(due_work.c.id, due_work.c.state).where(due_work.c.id.in_(ids))


# Sent by the operator's retry, so PostgreSQL workers pick the rows up at once.
NOTIFY = f"SELECT pg_notify('{CHANNEL}', '')"
