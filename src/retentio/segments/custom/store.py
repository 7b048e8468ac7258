"""Reading and writing segment definitions, members pages and size history (named queries)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from retentio.customers import customers
from retentio.db.batches import dialect_insert
from retentio.segments.custom.model import Rule, to_document
from retentio.segments.custom.parse import parse_rule
from retentio.segments.custom.tables import custom_segment_members as members
from retentio.segments.custom.tables import custom_segment_sizes as sizes
from retentio.segments.custom.tables import custom_segments as segments


@dataclass(frozen=True, slots=True)
class StoredSegment:
    id: int
    name: str
    description: str
    rule: Rule
    size: int
    created_at: datetime
    updated_at: datetime
    refreshed_at: datetime | None

    @property
    def document(self) -> dict[str, Any]:
        return to_document(self.rule)


@dataclass(frozen=True, slots=True)
class Member:
    customer_id: str
    entered_at: datetime


@dataclass(frozen=True, slots=True)
class SizePoint:
    at: datetime
    source: str  # "refresh" or "ingest"
    size: int
    entered: int
    exited: int


def load_segments(connection: Connection, lock: bool = False) -> list[StoredSegment]:
    """Every segment in id order; ``lock`` takes their rows (PostgreSQL) so that membership writers
    of the same segments queue instead of crossing."""
    statement = select(segments).order_by(segments.c.id)
    if lock:
        statement = statement.with_for_update()
    return [_stored(row) for row in connection.execute(statement).mappings()]


def any_segment(connection: Connection) -> bool:
    return connection.execute(select(segments.c.id).limit(1)).first() is not None


def load_segment(connection: Connection, name: str, lock: bool = False) -> StoredSegment | None:
    statement = select(segments).where(segments.c.name == name)
    if lock:
        statement = statement.with_for_update()
    row = connection.execute(statement).mappings().first()
    return _stored(row) if row is not None else None


def insert_segment(
    connection: Connection, name: str, description: str, rule: Rule, now: datetime
) -> int | None:
    """The new segment's id, or None when the name is taken. The unique index decides, so two
    creates of one name at once (PostgreSQL) end with one segment: the second waits for the first
    to commit and then inserts nothing, instead of failing on the index."""
    values = {
        "name": name,
        "description": description,
        "rule": to_document(rule),
        "size": 0,
        "created_at": now,
        "updated_at": now,
    }
    statement = (
        dialect_insert(connection, segments)
        .values(values)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(segments.c.id)
    )
    segment_id: int | None = connection.execute(statement).scalar_one_or_none()
    return segment_id


def update_rule(connection: Connection, segment_id: int, description: str, rule: Rule, now: datetime) -> None:
    values = {"description": description, "rule": to_document(rule), "updated_at": now}
    connection.execute(update(segments).where(segments.c.id == segment_id).values(values))


def set_size(connection: Connection, segment_id: int, size: int, refreshed_at: datetime | None) -> None:
    values: dict[str, Any] = {"size": size}
    if refreshed_at is not None:
        values["refreshed_at"] = refreshed_at
    connection.execute(update(segments).where(segments.c.id == segment_id).values(values))


def add_to_size(connection: Connection, segment_id: int, change: int) -> int:
    statement = (
        update(segments)
        .where(segments.c.id == segment_id)
        .values(size=segments.c.size + change)
        .returning(segments.c.size)
    )
    size: int = connection.execute(statement).scalar_one()
    return size


def members_page(connection: Connection, segment_id: int, after: str | None, limit: int) -> list[Member]:
    """Members in customer id order, from just after ``after`` (keyset paging: stable and cheap)."""
    statement = select(members.c.customer_id, members.c.entered_at).where(members.c.segment_id == segment_id)
    if after is not None:
        statement = statement.where(members.c.customer_id > after)
    rows = connection.execute(statement.order_by(members.c.customer_id).limit(limit))
    return [Member(customer_id, entered_at) for customer_id, entered_at in rows]


def size_points(
    connection: Connection, segment_id: int, since: datetime | None = None, limit: int = 1000
) -> list[SizePoint]:
    """Sizes over time, oldest first (the newest ``limit`` points)."""
    statement = select(sizes).where(sizes.c.segment_id == segment_id)
    if since is not None:
        statement = statement.where(sizes.c.measured_at >= since)
    newest = statement.order_by(sizes.c.measured_at.desc(), sizes.c.source).limit(limit)
    points = [
        SizePoint(row.measured_at, row.source, row.size, row.entered, row.exited)
        for row in connection.execute(newest)
    ]
    return points[::-1]


def _stored(row: Any) -> StoredSegment:
    return StoredSegment(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        rule=parse_rule(row["rule"]),
        size=row["size"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        refreshed_at=row["refreshed_at"],
    )


EXPORT_COLUMNS = ("customer_id", "email", "phone", "first_name", "last_name", "entered_at")


def export_rows(connection: Connection, segment_id: int) -> Iterator[tuple[Any, ...]]:
    """Every member with the contact fields, in customer id order, streamed (a million is fine)."""
    statement = (
        select(
            members.c.customer_id,
            customers.c.email,
            customers.c.phone,
            customers.c.first_name,
            customers.c.last_name,
            members.c.entered_at,
        )
        .join(customers, customers.c.customer_id == members.c.customer_id)
        .where(members.c.segment_id == segment_id)
        .order_by(members.c.customer_id)
    )
    for row in connection.execution_options(stream_results=True, yield_per=10_000).execute(statement):
        yield tuple(row)
