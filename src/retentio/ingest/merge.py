"""Merging two customer records known to be one person (CDP-4), keeping all history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from retentio.customers.tables import consent_changes, customers, identities
from retentio.events.tables import events
from retentio.ingest.rebuild import rebuild_customers
from retentio.orders.tables import orders


class MergeRefused(ValueError):
    pass


def do_merge_customers(
    connection: Connection, survivor_id: str, merged_id: str, now: datetime, default_currency: str
) -> int:
    """Move everything of ``merged_id`` to ``survivor_id``; the merged record stays as a pointer so
    that later events sent with its id still reach the survivor. Returns events moved."""
    if survivor_id == merged_id:
        raise MergeRefused("a customer cannot be merged into itself")
    found = {
        row.customer_id: row.merged_into
        for row in connection.execute(
            select(customers.c.customer_id, customers.c.merged_into).where(
                customers.c.customer_id.in_([survivor_id, merged_id])
            )
        )
    }
    for customer_id in (survivor_id, merged_id):
        if customer_id not in found:
            raise MergeRefused(f"customer {customer_id!r} does not exist")
        if found[customer_id] is not None:
            raise MergeRefused(f"customer {customer_id!r} was already merged into {found[customer_id]!r}")
    moved = connection.execute(
        update(events).where(events.c.customer_id == merged_id).values(customer_id=survivor_id)
    ).rowcount
    for table in (orders, identities, consent_changes):
        connection.execute(
            update(table).where(table.c.customer_id == merged_id).values(customer_id=survivor_id)
        )
    _fill_missing_contacts(connection, survivor_id, merged_id, now)
    connection.execute(
        update(customers)
        .where(customers.c.customer_id == merged_id)
        .values(merged_into=survivor_id, updated_at=now)
    )
    connection.execute(
        update(customers).where(customers.c.merged_into == merged_id).values(merged_into=survivor_id)
    )
    rebuild_customers(connection, [survivor_id, merged_id], now, default_currency)
    return int(moved)


_CONTACT_FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "birthday",
    "timezone",
    "locale",
    "telegram_id",
    "viber_id",
)


def _fill_missing_contacts(connection: Connection, survivor_id: str, merged_id: str, now: datetime) -> None:
    """The survivor keeps its own contacts and gains the ones only the merged record had."""
    rows = {
        row.customer_id: row
        for row in connection.execute(
            select(customers).where(customers.c.customer_id.in_([survivor_id, merged_id]))
        )
    }
    survivor, merged = rows[survivor_id], rows[merged_id]
    gained = {
        name: getattr(merged, name)
        for name in _CONTACT_FIELDS
        if getattr(survivor, name) is None and getattr(merged, name) is not None
    }
    attributes = {**merged.attributes, **survivor.attributes}
    tokens = list(dict.fromkeys([*survivor.push_tokens, *merged.push_tokens]))
    connection.execute(
        update(customers)
        .where(customers.c.customer_id == survivor_id)
        .values(**gained, attributes=attributes, push_tokens=tokens, updated_at=now)
    )
