"""Loading and saving profiles in bulk, and creating the customers that events mention.

Profiles are read and written on every batch, so these queries go straight to the driver
(``db.codec``) instead of through SQLAlchemy's per-value type processing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from retentio.customers.profile import ProfileDraft, settle_channels
from retentio.customers.tables import customer_profiles, identities
from retentio.db.batches import chunks
from retentio.db.codec import Codec, codec_for, executemany, fetchall

_TIMES = (
    "first_order_at", "last_order_at", "previous_order_at", "last_event_at", "last_content_at",
    "last_browse_at", "last_cart_at",
)  # fmt: skip
_JSON = ("channel_activity", "hour_histogram", "category_counts")
_FIELDS = (
    "orders", "revenue_minor", "currency", "first_order_at", "last_order_at", "previous_order_at",
    "cancellations", "returns", "returned_minor", "coupon_orders", "events", "last_event_at",
    "last_content_at", "last_browse_at", "last_cart_at", "channel_activity", "hour_histogram",
    "category_counts",
)  # fmt: skip


def ensure_customers(connection: Connection, customer_ids: Iterable[str], now: datetime) -> None:
    """An event about an unknown customer creates the customer (as Segment and Mindbox do).

    Runs for every batch that mentions new customers, hence straight to the driver."""
    codec = codec_for(connection)
    stamp = codec.timestamp(now)
    conflict = "ON CONFLICT (customer_id) DO NOTHING"
    sql = (
        "INSERT INTO customers (customer_id, created_at, updated_at, attributes, push_tokens) "
        f"VALUES ({codec.mark}, {codec.mark}, {codec.mark}, '{{}}', '[]') {conflict}"
    )
    executemany(connection, sql, [(cid, stamp, stamp) for cid in sorted(set(customer_ids))])


def canonical_ids(connection: Connection, customer_ids: Iterable[str]) -> dict[str, str]:
    """Where a merged-away customer id now points (only ids that were merged appear).

    On PostgreSQL the records read stay share-locked (``FOR KEY SHARE``, in key order) until the
    caller commits, and so do the records they point to. A merge locks its two records exclusively
    (``customers.merge.lock_for_merge``), so it waits for the batches under way about either, and a
    batch that comes meanwhile waits for the merge, then reads where the merged id points now: no
    event is left behind on a merged-away record. Share locks do not hold up other batches.
    """
    codec = codec_for(connection)
    pointers: dict[str, str | None] = {}
    asked: set[str] = set()
    wanted = sorted(set(customer_ids))
    while wanted:
        asked.update(wanted)
        pointers.update(_pointers(connection, codec, wanted))
        wanted = sorted({target for target in pointers.values() if target and target not in asked})
    found = {cid: target for cid, target in pointers.items() if target is not None}
    # A chain of merges (A→B, B→C) is followed to its end.
    for cid in list(found):
        seen = {cid}
        while found[cid] in found and found[cid] not in seen:
            seen.add(found[cid])
            found[cid] = found[found[cid]]
    return found


def _pointers(connection: Connection, codec: Codec, customer_ids: Sequence[str]) -> dict[str, str | None]:
    """``merged_into`` of the records of ``customer_ids`` (in key order). PostgreSQL reads and locks
    every record, merged or not: a record being merged does not look merged until the merge commits,
    and only the rows a query returns are locked. SQLite's single writer needs no lock, so there only
    merged records are read."""
    if codec.is_postgres:
        condition, suffix = "", " ORDER BY customer_id FOR KEY SHARE"
    else:
        condition, suffix = " AND merged_into IS NOT NULL", ""
    found: dict[str, str | None] = {}
    for part in chunks(customer_ids):
        sql = (
            "SELECT customer_id, merged_into FROM customers"
            f" WHERE customer_id IN ({codec.marks(len(part))}){condition}{suffix}"
        )
        found.update((cid, target) for cid, target in fetchall(connection, sql, part))
    return found


def known_identities(connection: Connection, anonymous_ids: Iterable[str]) -> dict[str, str]:
    known: dict[str, str] = {}
    for part in chunks(sorted(set(anonymous_ids))):
        known.update(
            connection.execute(
                select(identities.c.anonymous_id, identities.c.customer_id).where(
                    identities.c.anonymous_id.in_(part)
                )
            ).all()
        )
    return known


def load_profiles(
    connection: Connection, customer_ids: Sequence[str], now: datetime, lock: bool
) -> dict[str, ProfileDraft]:
    """Working copies of the profiles of ``customer_ids``; customers and empty profiles are created
    where missing.

    On PostgreSQL with ``lock`` the rows are created first and then locked in key order, so that a
    concurrent batch about the same customer waits instead of overwriting. SQLite's single writer
    needs no row locks.
    """
    ordered = sorted(set(customer_ids))
    codec = codec_for(connection)
    if lock and codec.is_postgres:
        ensure_customers(connection, ordered, now)
        _insert_empty(connection, codec, ordered, now)
    drafts = {cid: ProfileDraft(cid) for cid in ordered}
    suffix = " ORDER BY customer_id FOR UPDATE" if lock and codec.is_postgres else ""
    for part in chunks(ordered):
        sql = (
            f"SELECT customer_id, {', '.join(_FIELDS)} FROM customer_profiles "
            f"WHERE customer_id IN ({codec.marks(len(part))}){suffix}"
        )
        for row in fetchall(connection, sql, part):
            drafts[row[0]] = _draft_from_row(codec, row)
    missing = [cid for cid, draft in drafts.items() if not draft.stored]
    if missing and lock:
        ensure_customers(connection, missing, now)
    return drafts


def save_profiles(connection: Connection, drafts: Iterable[ProfileDraft], now: datetime) -> None:
    codec = codec_for(connection)
    ordered = sorted(drafts, key=lambda draft: draft.customer_id)
    for draft in ordered:
        settle_channels(draft)
    stamp = codec.timestamp(now)
    updates = [(*_values(codec, draft), stamp, draft.customer_id) for draft in ordered if draft.stored]
    inserts = [(draft.customer_id, *_values(codec, draft), stamp) for draft in ordered if not draft.stored]
    assignments = ", ".join(f"{name} = {_mark(codec, name)}" for name in (*_FIELDS, "updated_at"))
    executemany(
        connection,
        f"UPDATE customer_profiles SET {assignments} WHERE customer_id = {codec.mark}",
        updates,
    )
    columns = ("customer_id", *_FIELDS, "updated_at")
    executemany(
        connection,
        f"INSERT INTO customer_profiles ({', '.join(columns)}) "
        f"VALUES ({', '.join(_mark(codec, name) for name in columns)})",
        inserts,
    )
    for draft in ordered:
        draft.stored = True


def _insert_empty(connection: Connection, codec: Codec, ordered: Sequence[str], now: datetime) -> None:
    columns = ("customer_id", *_FIELDS, "updated_at")
    sql = (
        f"INSERT INTO customer_profiles ({', '.join(columns)}) "
        f"VALUES ({', '.join(_mark(codec, name) for name in columns)}) ON CONFLICT DO NOTHING"
    )
    stamp = codec.timestamp(now)
    executemany(connection, sql, [(cid, *_values(codec, ProfileDraft(cid)), stamp) for cid in ordered])


def _mark(codec: Codec, name: str) -> str:
    return codec.json_mark() if name in _JSON else codec.mark


def _values(codec: Codec, draft: ProfileDraft) -> tuple[Any, ...]:
    return (
        draft.orders,
        draft.revenue_minor,
        draft.currency,
        codec.timestamp(draft.first_order_at),
        codec.timestamp(draft.last_order_at),
        codec.timestamp(draft.previous_order_at),
        draft.cancellations,
        draft.returns,
        draft.returned_minor,
        draft.coupon_orders,
        draft.events,
        codec.timestamp(draft.last_event_at),
        codec.timestamp(draft.last_content_at),
        codec.timestamp(draft.last_browse_at),
        codec.timestamp(draft.last_cart_at),
        codec.json(draft.channel_activity),
        codec.json(draft.hour_histogram),
        codec.json(draft.category_counts),
    )


def _draft_from_row(codec: Codec, row: Sequence[Any]) -> ProfileDraft:
    values = dict(zip(_FIELDS, row[1:], strict=True))
    for name in _TIMES:
        values[name] = codec.read_timestamp(values[name])
    for name in _JSON:
        values[name] = codec.read_json(values[name])
    draft = ProfileDraft(row[0], **values, stored=True)
    if len(draft.hour_histogram) != 24:
        draft.hour_histogram = [0] * 24
    return draft


def forget_profiles(connection: Connection, customer_ids: Sequence[str] | None = None) -> None:
    """Delete these customers' profiles, or every profile, before they are folded again from the log."""
    if customer_ids is None:
        connection.execute(delete(customer_profiles))
        return
    for part in chunks(customer_ids):
        connection.execute(delete(customer_profiles).where(customer_profiles.c.customer_id.in_(part)))
