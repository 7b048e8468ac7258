"""Loading and saving profiles in bulk, and creating the customers that events mention."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retentio.customers.profile import ProfileDraft
from retentio.customers.tables import customer_profiles, customers, identities
from retentio.db.batches import chunks, insert_ignoring_duplicates, upsert


def ensure_customers(connection: Connection, customer_ids: Iterable[str], now: datetime) -> None:
    """An event about an unknown customer creates the customer (as Segment and Mindbox do)."""
    ordered = sorted(set(customer_ids))
    for part in chunks(ordered):
        connection.execute(
            insert_ignoring_duplicates(connection, customers),
            [
                {
                    "customer_id": cid,
                    "created_at": now,
                    "updated_at": now,
                    "attributes": {},
                    "push_tokens": [],
                }
                for cid in part
            ],
        )


def canonical_ids(connection: Connection, customer_ids: Iterable[str]) -> dict[str, str]:
    """Where a merged-away customer id now points (only ids that were merged appear)."""
    found: dict[str, str] = {}
    wanted = sorted(set(customer_ids))
    for part in chunks(wanted):
        for cid, target in connection.execute(
            select(customers.c.customer_id, customers.c.merged_into).where(
                customers.c.customer_id.in_(part), customers.c.merged_into.is_not(None)
            )
        ):
            found[cid] = target
    # A chain of merges (A→B, B→C) is followed to its end.
    for cid in list(found):
        seen = {cid}
        while found[cid] in found and found[cid] not in seen:
            seen.add(found[cid])
            found[cid] = found[found[cid]]
    return found


def known_identities(connection: Connection, anonymous_ids: Iterable[str]) -> dict[str, str]:
    known: dict[str, str] = {}
    for part in chunks(sorted(set(anonymous_ids))):
        known.update(
            connection.execute(
                select(identities.c.anonymous_id, identities.c.customer_id).where(
                    identities.c.anonymous_id.in_(part)
                )
            )
            
            .all()
        )
    return known


def load_profiles(
    connection: Connection, customer_ids: Sequence[str], now: datetime, lock: bool
) -> dict[str, ProfileDraft]:
    """Working copies of the profiles of ``customer_ids``, created empty where missing.

    With ``lock`` the rows are created first and then locked in key order (PostgreSQL), so that a
    concurrent batch about the same customer waits instead of overwriting.
    """
    ordered = sorted(set(customer_ids))
    if lock:
        for part in chunks(ordered):
            connection.execute(
                insert_ignoring_duplicates(connection, customer_profiles),
                [_empty_row(cid, now) for cid in part],
            )
    drafts = {cid: ProfileDraft(cid) for cid in ordered}
    for part in chunks(ordered):
        query = select(customer_profiles).where(customer_profiles.c.customer_id.in_(part))
        if lock and connection.dialect.name == "postgresql":
            query = query.order_by(customer_profiles.c.customer_id).with_for_update()
        for row in connection.execute(query):
            drafts[row.customer_id] = _draft_from_row(row._mapping)
    return drafts


def save_profiles(connection: Connection, drafts: Iterable[ProfileDraft], now: datetime) -> None:
    rows = [_row_from_draft(draft, now) for draft in sorted(drafts, key=lambda d: d.customer_id)]
    for part in chunks(rows):
        upsert(connection, customer_profiles, list(part))


def _empty_row(customer_id: str, now: datetime) -> dict[str, Any]:
    return _row_from_draft(ProfileDraft(customer_id), now)


_FIELDS = (
    "orders",
    "revenue_minor",
    "currency",
    "first_order_at",
    "last_order_at",
    "previous_order_at",
    "cancellations",
    "returns",
    "returned_minor",
    "coupon_orders",
    "events",
    "last_event_at",
    "channel_activity",
    "hour_histogram",
    "category_counts",
)


def _draft_from_row(row: Any) -> ProfileDraft:
    draft = ProfileDraft(row["customer_id"], **{name: row[name] for name in _FIELDS})
    if len(draft.hour_histogram) != 24:
        draft.hour_histogram = [0] * 24
    return draft


def _row_from_draft(draft: ProfileDraft, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {"customer_id": draft.customer_id, "updated_at": now}
    for name in _FIELDS:
        row[name] = getattr(draft, name)
    return row
