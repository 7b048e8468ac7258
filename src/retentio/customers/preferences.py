"""Kind preferences (COM-8's preference page): a customer stops one kind of message — marketing or
trigger — on a channel while keeping that channel's consent (keep order emails and abandoned-cart
reminders, stop promotions). Transactional messages are owed to the customer and cannot be stopped.

A table of its own rather than a ``kind`` column on ``consent_changes``, so that each word keeps one
meaning: *consent* stays the customer's agreement to receive messages on a channel (38-FZ art. 18),
and the one record a sent message keeps as its proof is always a consent change; a *preference*
only ever subtracts from it. A "wanted" preference never stands in for a consent, and a channel's
consent, history and queries stay as they were.

Like consent, an append-only history where the latest change wins: the preference in force at a
moment is the newest change dated at or before it (equal dates in the order recorded). Without any
change a kind is wanted: the channel's consent alone governs it. A proposed change is recorded only
when it differs from the preference in force at its own time, so saving the same page twice adds
nothing."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retentio.customers.tables import kind_preferences
from retentio.db.batches import chunks

# The kinds a customer may stop; transactional messages cannot be.
OPTIONAL_KINDS = ("marketing", "trigger")

# (customer_id, channel, kind) → (changed_at, wanted), oldest first; equal times in the order recorded.
PreferenceTimeline = dict[tuple[str, str, str], list[tuple[datetime, bool]]]


def record_preference_changes(connection: Connection, changes: Sequence[dict[str, Any]]) -> None:
    """Rows: customer_id, channel, kind, wanted, source, changed_at, recorded_at."""
    for change in changes:
        if change["kind"] not in OPTIONAL_KINDS:
            raise ValueError(f"kind {change['kind']!r}: only {' and '.join(OPTIONAL_KINDS)} can be stopped")
    if changes:
        connection.execute(kind_preferences.insert(), list(changes))


def load_preference_timelines(connection: Connection, customer_ids: Iterable[str]) -> PreferenceTimeline:
    timelines: PreferenceTimeline = {}
    for part in chunks(sorted(set(customer_ids))):
        rows = connection.execute(
            select(
                kind_preferences.c.customer_id,
                kind_preferences.c.channel,
                kind_preferences.c.kind,
                kind_preferences.c.changed_at,
                kind_preferences.c.wanted,
            )
            .where(kind_preferences.c.customer_id.in_(part))
            .order_by(kind_preferences.c.changed_at, kind_preferences.c.id)
        )
        for row in rows:
            key = (row.customer_id, row.channel, row.kind)
            timelines.setdefault(key, []).append((row.changed_at, row.wanted))
    return timelines


def preference_changes_that_differ(
    timelines: PreferenceTimeline, proposed: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The proposed rows (in order) that change the preference in force at their time (wanted when
    there is none). Kept rows join ``timelines``, so later proposals in a batch see them."""
    kept = []
    for change in proposed:
        key = (change["customer_id"], change["channel"], change["kind"])
        timeline = timelines.setdefault(key, [])
        at: datetime = change["changed_at"]
        earlier = bisect.bisect_right(timeline, at, key=_changed_at)
        in_force = timeline[earlier - 1][1] if earlier else True
        if in_force == change["wanted"]:
            continue
        timeline.insert(earlier, (at, change["wanted"]))
        kept.append(change)
    return kept


def opt_outs_in_force(
    connection: Connection, customer_ids: Iterable[str], now: datetime
) -> dict[str, frozenset[tuple[str, str]]]:
    """Customer → the (channel, kind) pairs stopped at ``now``; customers without any are left out."""
    stopped: dict[str, set[tuple[str, str]]] = {}
    for (customer_id, channel, kind), timeline in load_preference_timelines(connection, customer_ids).items():
        in_force = bisect.bisect_right(timeline, now, key=_changed_at)
        if in_force and not timeline[in_force - 1][1]:
            stopped.setdefault(customer_id, set()).add((channel, kind))
    return {customer_id: frozenset(pairs) for customer_id, pairs in stopped.items()}


def _changed_at(entry: tuple[datetime, bool]) -> datetime:
    return entry[0]
