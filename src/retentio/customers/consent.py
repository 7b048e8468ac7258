"""Per-channel consent (CDP-1, COM-8): an append-only history; the latest change wins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retentio.customers.tables import consent_changes
from retentio.db.batches import chunks


def record_consent_changes(connection: Connection, changes: Sequence[dict[str, Any]]) -> None:
    """Rows: customer_id, channel, granted, source, changed_at, recorded_at."""
    if changes:
        connection.execute(consent_changes.insert(), list(changes))


def current_consents(connection: Connection, customer_ids: Iterable[str]) -> dict[str, dict[str, bool]]:
    """Channel → granted for each customer, from the newest change per channel (by when it happened)."""
    result: dict[str, dict[str, bool]] = {}
    latest: dict[tuple[str, str], tuple[datetime, int]] = {}
    for part in chunks(sorted(set(customer_ids))):
        rows = connection.execute(
            select(
                consent_changes.c.id,
                consent_changes.c.customer_id,
                consent_changes.c.channel,
                consent_changes.c.granted,
                consent_changes.c.changed_at,
            ).where(consent_changes.c.customer_id.in_(part))
        )
        for row in rows:
            key = (row.customer_id, row.channel)
            rank = (row.changed_at, row.id)
            if key not in latest or rank > latest[key]:
                latest[key] = rank
                result.setdefault(row.customer_id, {})[row.channel] = row.granted
    return result


def consent_history(connection: Connection, customer_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(consent_changes)
        .where(consent_changes.c.customer_id == customer_id)
        .order_by(consent_changes.c.changed_at, consent_changes.c.id)
    )
    return [
        {
            "channel": row.channel,
            "granted": row.granted,
            "source": row.source,
            "changed_at": row.changed_at.isoformat(),
        }
        for row in rows
    ]
