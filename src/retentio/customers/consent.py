"""Per-channel consent (CDP-1, COM-8): an append-only history; the latest change wins.

The consent in force at a moment is the newest change dated at or before it; changes dated alike
count in the order they were recorded. A change dated ahead of "now" (a client's clock running fast,
within the tolerance the writer allows) takes effect at its time, not before.

A proposed change is recorded only when it differs from the consent in force at its own time, so
sending the same consent again, or importing a file twice, adds nothing; the first change known for
a channel is always recorded, an opt-out included."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retentio.customers.tables import consent_changes
from retentio.db.batches import chunks


def record_consent_changes(connection: Connection, changes: Sequence[dict[str, Any]]) -> None:
    """Rows: customer_id, channel, granted, source, changed_at, recorded_at."""
    if changes:
        connection.execute(consent_changes.insert(), list(changes))


# (customer_id, channel) → (changed_at, granted), oldest first; equal times in the order recorded.
ConsentTimeline = dict[tuple[str, str], list[tuple[datetime, bool]]]


def load_consent_timelines(connection: Connection, customer_ids: Iterable[str]) -> ConsentTimeline:
    timelines: ConsentTimeline = {}
    for part in chunks(sorted(set(customer_ids))):
        rows = connection.execute(
            select(
                consent_changes.c.customer_id,
                consent_changes.c.channel,
                consent_changes.c.changed_at,
                consent_changes.c.granted,
            )
            .where(consent_changes.c.customer_id.in_(part))
            .order_by(consent_changes.c.changed_at, consent_changes.c.id)
        )
        for row in rows:
            timelines.setdefault((row.customer_id, row.channel), []).append((row.changed_at, row.granted))
    return timelines


def changes_that_differ(
    timelines: ConsentTimeline, proposed: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The proposed rows (in order) that change the consent in force at their time. Kept rows join
    ``timelines``, so a later proposal in the same batch is compared with them."""
    kept = []
    for change in proposed:
        timeline = timelines.setdefault((change["customer_id"], change["channel"]), [])
        at: datetime = change["changed_at"]
        earlier = bisect.bisect_right(timeline, at, key=_changed_at)
        if earlier and timeline[earlier - 1][1] == change["granted"]:
            continue
        timeline.insert(earlier, (at, change["granted"]))
        kept.append(change)
    return kept


def _changed_at(entry: tuple[datetime, bool]) -> datetime:
    return entry[0]


def current_consents(
    connection: Connection, customer_ids: Iterable[str], now: datetime
) -> dict[str, dict[str, bool]]:
    """Channel → granted for each customer: the consent in force at ``now``. A channel whose every
    change is dated after ``now`` is left out."""
    result: dict[str, dict[str, bool]] = {}
    for (customer_id, channel), timeline in load_consent_timelines(connection, customer_ids).items():
        in_force = bisect.bisect_right(timeline, now, key=_changed_at)
        if in_force:
            result.setdefault(customer_id, {})[channel] = timeline[in_force - 1][1]
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


@dataclass(frozen=True, slots=True)
class ConsentInForce:
    """The consent record a send relies on (38-FZ art. 18: the sender proves prior consent)."""

    granted: bool
    change_id: int
    changed_at: datetime
    source: str


def consents_in_force(
    connection: Connection, customer_ids: Iterable[str], now: datetime
) -> dict[str, dict[str, ConsentInForce]]:
    """Customer → channel → the change in force at ``now`` (changes dated later are not yet)."""
    result: dict[str, dict[str, ConsentInForce]] = {}
    for part in chunks(sorted(set(customer_ids))):
        rows = connection.execute(
            select(consent_changes)
            .where(consent_changes.c.customer_id.in_(part), consent_changes.c.changed_at <= now)
            .order_by(consent_changes.c.changed_at, consent_changes.c.id)
        )
        for row in rows:  # oldest first: the last one seen per channel is in force
            result.setdefault(row.customer_id, {})[row.channel] = ConsentInForce(
                row.granted, row.id, row.changed_at, row.source
            )
    return result
