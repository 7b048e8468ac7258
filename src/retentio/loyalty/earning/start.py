"""When a programme started: orders and actions before it earn nothing, so importing years of
history into a running programme never pays them out (Odoo's points on imported sales orders)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from retentio.loyalty.earning.tables import loyalty_programme_starts
from retentio.loyalty.programmes.settings import Programme


def programme_start(connection: Connection, programme: Programme, now: datetime) -> datetime:
    """The ``starts_at`` setting, or the instant the consumer first ran the programme (kept)."""
    if programme.starts_at is not None:
        return programme.starts_at
    found = connection.execute(
        select(loyalty_programme_starts.c.started_at).where(
            loyalty_programme_starts.c.programme == programme.id
        )
    ).scalar_one_or_none()
    if found is not None:
        started: datetime = found
        return started
    # One consumer runs at a time (its advisory lock on PostgreSQL, the write lock on SQLite).
    connection.execute(insert(loyalty_programme_starts).values(programme=programme.id, started_at=now))
    return now
