"""Merging two customer records known to be one person (CDP-4): the customers area's part.

The whole merge — history, profiles, segments — is one action, ingest's ``do_merge_customers``;
this module locks and checks the two records and moves what the customers area owns: visitor links,
consent history and kind preferences, contacts, push devices and the pointer from the merged record
to the survivor. It leaves a ``customer_merged`` event in the log (about the survivor, naming the
merged record): the areas above that keep their own state per customer (loyalty's points) read it
and move that state themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from retentio.customers.devices import move_push_devices
from retentio.customers.tables import consent_changes, customers, identities, kind_preferences
from retentio.events import Event, append_new_events


class MergeRefused(ValueError):
    pass


def lock_for_merge(connection: Connection, survivor_id: str, merged_id: str) -> None:
    """Hold both records until commit and refuse a merge that makes no sense.

    On PostgreSQL the rows are locked ``FOR UPDATE`` in key order. Ingest share-locks the records its
    events name (``customers.store.canonical_ids``), so a merge waits for the batches about either
    customer that are under way, and batches arriving meanwhile wait for the merge and then read where
    the merged id points. SQLite runs one writer at a time, so there the lock is the transaction's.
    """
    if survivor_id == merged_id:
        raise MergeRefused("a customer cannot be merged into itself")
    query = select(customers.c.customer_id, customers.c.merged_into).where(
        customers.c.customer_id.in_([survivor_id, merged_id])
    )
    if connection.dialect.name == "postgresql":
        query = query.order_by(customers.c.customer_id).with_for_update()
    found: dict[str, str | None] = dict(connection.execute(query).all())
    for customer_id in (survivor_id, merged_id):
        if customer_id not in found:
            raise MergeRefused(f"customer {customer_id!r} does not exist")
        if found[customer_id] is not None:
            raise MergeRefused(f"customer {customer_id!r} was already merged into {found[customer_id]!r}")


def merge_records(connection: Connection, survivor_id: str, merged_id: str, now: datetime) -> None:
    """Visitor links, consent history and kind preferences move to the survivor, which gains the
    contacts only the merged record had; the merged record stays as a pointer (and so do records
    merged into it before), so that later events sent with its id still reach the survivor."""
    for table in (identities, consent_changes, kind_preferences):
        connection.execute(
            update(table).where(table.c.customer_id == merged_id).values(customer_id=survivor_id)
        )
    _fill_missing_contacts(connection, survivor_id, merged_id, now)
    move_push_devices(connection, survivor_id, merged_id)
    connection.execute(
        update(customers)
        .where(customers.c.customer_id == merged_id)
        .values(merged_into=survivor_id, updated_at=now)
    )
    connection.execute(
        update(customers).where(customers.c.merged_into == merged_id).values(merged_into=survivor_id)
    )
    _announce_merge(connection, survivor_id, merged_id, now)


CUSTOMER_MERGED = "customer_merged"


def _announce_merge(connection: Connection, survivor_id: str, merged_id: str, now: datetime) -> None:
    """A record is merged away once, so its id names the event: a merge run again adds nothing."""
    event = Event(
        event_id=f"merge:{merged_id}",
        type=CUSTOMER_MERGED,
        customer_id=survivor_id,
        anonymous_id=None,
        occurred_at=now.astimezone(UTC),
        properties={"merged_id": merged_id},
        typed=None,
        derived=True,
    )
    append_new_events(connection, [event], now)


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
    connection.execute(
        update(customers)
        .where(customers.c.customer_id == survivor_id)
        .values(**gained, attributes=attributes, updated_at=now)
    )
