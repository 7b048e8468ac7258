"""The on-site inbox: messages the shop's site shows a customer (banners, COM-5), written by the
``onsite`` channel and read and marked through the API. Each function works in the caller's
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, and_, func, or_, select, update

from retentio.db.batches import insert_ignoring_duplicates
from retentio.messaging.content import Kind
from retentio.messaging.tables import onsite_messages


@dataclass(frozen=True, slots=True)
class OnsiteMessage:
    message_id: str
    customer_id: str
    kind: Kind
    title: str
    body: str
    url: str | None
    image_url: str | None
    created_at: datetime
    expires_at: datetime | None = None
    seen_at: datetime | None = None
    dismissed_at: datetime | None = None


class Marked(StrEnum):
    MARKED = "marked"  # changed now: the caller may record that the customer saw (or closed) it
    ALREADY = "already"  # it was so before: nothing to record again
    NOT_FOUND = "not_found"  # no such message for this customer


def do_add_onsite_message(connection: Connection, message: OnsiteMessage) -> bool:
    """Put a message in the customer's inbox; ``False`` when it is there already (same message id)."""
    row = {
        "message_id": message.message_id,
        "customer_id": message.customer_id,
        "kind": str(message.kind),
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "image_url": message.image_url,
        "created_at": message.created_at,
        "expires_at": message.expires_at,
        "seen_at": message.seen_at,
        "dismissed_at": message.dismissed_at,
    }
    # RETURNING, not rowcount: psycopg reports no row count for this statement (-1).
    statement = insert_ignoring_duplicates(connection, onsite_messages).returning(
        onsite_messages.c.message_id
    )
    return connection.execute(statement, row).first() is not None


def active_onsite_messages(
    connection: Connection, customer_id: str, now: datetime, unread_only: bool = False, limit: int = 20
) -> list[OnsiteMessage]:
    """The customer's messages that are neither dismissed nor expired, newest first."""
    table = onsite_messages.c
    conditions = [
        table.customer_id == customer_id,
        table.dismissed_at.is_(None),
        or_(table.expires_at.is_(None), table.expires_at > now),
    ]
    if unread_only:
        conditions.append(table.seen_at.is_(None))
    query = (
        select(onsite_messages)
        .where(and_(*conditions))
        .order_by(table.created_at.desc(), table.message_id.desc())
        .limit(limit)
    )
    return [_message(row) for row in connection.execute(query).mappings()]


def do_mark_onsite_seen(connection: Connection, customer_id: str, message_id: str, now: datetime) -> Marked:
    return _mark(connection, customer_id, message_id, {"seen_at": now}, onsite_messages.c.seen_at)


def do_dismiss_onsite_message(
    connection: Connection, customer_id: str, message_id: str, now: datetime
) -> Marked:
    """Closed by the customer: gone from the inbox; closing it means it was seen."""
    seen = func.coalesce(onsite_messages.c.seen_at, now)
    changes = {"dismissed_at": now, "seen_at": seen}
    return _mark(connection, customer_id, message_id, changes, onsite_messages.c.dismissed_at)


def _mark(
    connection: Connection,
    customer_id: str,
    message_id: str,
    changes: dict[str, Any],
    unset: ColumnElement[Any],
) -> Marked:
    """Apply ``changes`` where ``unset`` is still empty, so a repeat changes nothing."""
    table = onsite_messages.c
    mine = and_(table.message_id == message_id, table.customer_id == customer_id)
    changed = connection.execute(
        update(onsite_messages).where(mine, unset.is_(None)).values(changes)
    ).rowcount
    if changed:
        return Marked.MARKED
    exists = connection.execute(select(table.message_id).where(mine)).first()
    return Marked.ALREADY if exists else Marked.NOT_FOUND


def _message(row: RowMapping) -> OnsiteMessage:
    return OnsiteMessage(
        message_id=row["message_id"],
        customer_id=row["customer_id"],
        kind=Kind(row["kind"]),
        title=row["title"],
        body=row["body"],
        url=row["url"],
        image_url=row["image_url"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        seen_at=row["seen_at"],
        dismissed_at=row["dismissed_at"],
    )
