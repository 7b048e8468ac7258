"""One read per batch: each customer's profile, stored signals and stored standing, joined.

The reaction folds the batch into the signals and decides from these, so a batch costs one query
here whatever the number of customers (in chunks of the ``IN`` limit). Profiles the batch has just
saved come from memory; the query then reads only the time zone, the signals and the standing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection

from retentio.customers import ProfileDraft
from retentio.db.batches import chunks
from retentio.db.codec import Codec, codec_for, fetchall
from retentio.segments.decide import Decided
from retentio.segments.inputs import CustomerInputs, Signals, instant
from retentio.segments.signals_store import FIELDS as SIGNAL_FIELDS
from retentio.segments.standing_store import DECIDED

_PROFILE = (
    "orders", "revenue_minor", "first_order_at", "last_order_at", "previous_order_at", "cancellations",
    "returns", "coupon_orders", "last_event_at", "last_content_at", "last_browse_at", "last_cart_at",
    "channel_activity", "hour_histogram", "category_counts",
)  # fmt: skip


INPUT_JOINS = (
    "JOIN customers c ON c.customer_id = p.customer_id"
    " LEFT JOIN customer_signals s ON s.customer_id = p.customer_id"
)
SNAPSHOT_JOINS = INPUT_JOINS + " LEFT JOIN customer_standing st ON st.customer_id = p.customer_id"
# The same row without the profile, for customers whose profile the batch holds in memory.
_WITHOUT_PROFILE = (
    "customers c LEFT JOIN customer_signals s ON s.customer_id = c.customer_id"
    " LEFT JOIN customer_standing st ON st.customer_id = c.customer_id"
)


def snapshot_select(codec: Codec, with_standing: bool = True, with_profile: bool = True) -> str:
    """The columns a snapshot is read from, over ``customer_profiles p`` and ``SNAPSHOT_JOINS``
    (``INPUT_JOINS`` without the stored standing, which a row then leaves out: a third of the values).
    Times the decisions read come back as whole epoch seconds, converted by the database exactly as
    the set-based path converts them. Without the profile, a row is the customer id, the time zone,
    then the rest (over ``customers c`` instead)."""

    def column(table: str, name: str) -> str:
        if not name.endswith("_at"):
            return f"{table}.{name}"
        if codec.is_postgres:
            return f"CAST(floor(date_part('epoch', {table}.{name})) AS BIGINT)"
        return f"unixepoch({table}.{name})"

    profile = f"p.customer_id, {', '.join(column('p', name) for name in _PROFILE)}" if with_profile else ""
    inputs = (
        f"{profile or 'c.customer_id'}, c.timezone,"
        f" s.customer_id, {', '.join(column('s', name) for name in SIGNAL_FIELDS)}"
    )
    if not with_standing:
        return inputs
    return (
        f"{inputs}, st.customer_id, {', '.join(column('st', name) for name in DECIDED)},"
        " st.lifecycle_since, st.ladder_since"
    )


def _sql(codec: Codec, *, with_profile: bool = True) -> str:
    selected = snapshot_select(codec, with_profile=with_profile)
    if not codec.is_postgres:
        # One JSON text a row, decoded by orjson in one call: the sqlite3 module turns each of the 46
        # values into a Python object at several times that cost. JSON columns stay text inside it
        # (re-encoding them in SQLite costs more than decoding them here).
        selected = f"json_array({selected})"
        if not with_profile:
            # Most customers a bulk import touches are new: no signals, no standing. Their row is
            # the id and the time zone alone, not 33 nulls to build, decode and slice.
            selected = (
                "CASE WHEN s.customer_id IS NULL AND st.customer_id IS NULL"
                f" THEN json_array(c.customer_id, c.timezone) ELSE {selected} END"
            )
    if with_profile:
        source, key = f"customer_profiles p {SNAPSHOT_JOINS}", "p.customer_id"
    else:
        source, key = _WITHOUT_PROFILE, "c.customer_id"
    return f"SELECT {selected} FROM {source} WHERE {key} IN ({{marks}})"


_SIGNALS_AT = 1 + len(_PROFILE) + 1  # the marker column before the signals
_STANDING_AT = _SIGNALS_AT + 1 + len(SIGNAL_FIELDS)


class StoredStanding(NamedTuple):
    decided: Decided
    lifecycle_since: datetime | None
    ladder_since: datetime | None


class Snapshot(NamedTuple):
    """One customer as a batch finds them (named tuples: one of each per touched customer)."""

    customer_id: str
    profile: tuple[Any, ...]  # the profile columns, decoded, then the time zone
    signals: Signals | None  # None: no row yet
    stored: StoredStanding | None  # None: never decided

    def inputs(self, signals: Signals) -> CustomerInputs:
        return CustomerInputs._make((self.customer_id, *self.profile, signals))


def load_snapshots(
    connection: Connection,
    customer_ids: Sequence[str],
    profiles: Mapping[str, ProfileDraft] | None = None,
) -> dict[str, Snapshot]:
    """The snapshots of ``customer_ids`` that have a profile; ``profiles`` holds profiles just saved
    in this transaction, which are taken as they are instead of read back."""
    codec = codec_for(connection)
    wanted = sorted(set(customer_ids))
    known = [cid for cid in wanted if cid in profiles] if profiles else []
    found: dict[str, Snapshot] = {}
    if known:
        assert profiles is not None
        sql = _sql(codec, with_profile=False)
        for row in _rows(connection, codec, sql, known):
            profile = _profile_of(profiles[row[0]], row[1])
            if len(row) == _ID_AND_ZONE:
                found[row[0]] = Snapshot(row[0], profile, None, None)
            else:
                found[row[0]] = _parse(codec, (row[0], *_NO_PROFILE, *row[1:]), profile)
    rest = [cid for cid in wanted if cid not in found] if known else wanted
    sql = _sql(codec)
    for values in _rows(connection, codec, sql, rest):
        found[values[0]] = parse_snapshot(codec, values)
    return found


def _rows(connection: Connection, codec: Codec, sql: str, customer_ids: Sequence[str]) -> Iterator[Any]:
    for part in chunks(customer_ids):
        for row in fetchall(connection, sql.format(marks=codec.marks(len(part))), part):
            yield row if codec.is_postgres else orjson.loads(row[0])


_NO_PROFILE = (None,) * len(_PROFILE)  # stands in for the profile columns a known profile replaces
_ID_AND_ZONE = 2  # the short row of a customer with neither signals nor standing


def parse_snapshot(codec: Codec, row: Sequence[Any]) -> Snapshot:
    """A snapshot from a row of ``snapshot_select``'s columns (with or without the standing)."""
    return _parse(codec, row, _profile(codec, row[1:_SIGNALS_AT]))


def _parse(codec: Codec, row: Sequence[Any], profile: tuple[Any, ...]) -> Snapshot:
    signals_row = row[_SIGNALS_AT + 1 : _STANDING_AT]
    standing_row = row[_STANDING_AT + 1 :]
    stored = None
    if len(row) > _STANDING_AT and row[_STANDING_AT] is not None:
        decided = list(standing_row[: len(DECIDED)])
        decided[7], decided[9] = bool(decided[7]), bool(decided[9])
        decided[8] = tuple(codec.read_json(decided[8]))
        stored = StoredStanding(
            Decided._make(decided),
            codec.read_timestamp(standing_row[-2]),
            codec.read_timestamp(standing_row[-1]),
        )
    signals = Signals._make(signals_row) if row[_SIGNALS_AT] is not None else None
    return Snapshot(row[0], profile, signals, stored)


def _profile_of(draft: ProfileDraft, timezone: str | None) -> tuple[Any, ...]:
    """A saved profile as ``_profile`` reads it back: times as whole epoch seconds."""
    return (
        draft.orders, draft.revenue_minor, instant(draft.first_order_at), instant(draft.last_order_at),
        instant(draft.previous_order_at), draft.cancellations, draft.returns, draft.coupon_orders,
        instant(draft.last_event_at), instant(draft.last_content_at), instant(draft.last_browse_at),
        instant(draft.last_cart_at), draft.channel_activity, tuple(draft.hour_histogram),
        draft.category_counts, timezone,
    )  # fmt: skip


def _profile(codec: Codec, values: Sequence[Any]) -> tuple[Any, ...]:
    read = codec.read_json
    histogram = read(values[_HISTOGRAM])
    return (
        *values[:_CHANNELS],
        read(values[_CHANNELS]),
        tuple(histogram) if len(histogram) == 24 else (0,) * 24,
        read(values[_CATEGORIES]),
        values[_CATEGORIES + 1],  # the time zone
    )


# A snapshot's profile is ``CustomerInputs`` from the orders to the time zone, in that order.
assert CustomerInputs._fields[1:-1] == (*_PROFILE, "timezone")
_CHANNELS, _HISTOGRAM, _CATEGORIES = (
    _PROFILE.index(name) for name in ("channel_activity", "hour_histogram", "category_counts")
)
