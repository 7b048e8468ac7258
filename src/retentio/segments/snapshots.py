"""One read per batch: each customer's profile, stored signals and stored standing, joined.

The reaction folds the batch into the signals and decides from these, so a batch costs one query
here whatever the number of customers (in chunks of the ``IN`` limit).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection

from retentio.db.batches import chunks
from retentio.db.codec import Codec, codec_for, fetchall
from retentio.segments.decide import Decided
from retentio.segments.inputs import CustomerInputs, Signals
from retentio.segments.signals_store import FIELDS as SIGNAL_FIELDS
from retentio.segments.standing_store import DECIDED

_PROFILE = (
    "orders", "revenue_minor", "first_order_at", "last_order_at", "previous_order_at", "cancellations",
    "returns", "coupon_orders", "last_event_at", "channel_activity", "hour_histogram", "category_counts",
)  # fmt: skip


INPUT_JOINS = (
    "JOIN customers c ON c.customer_id = p.customer_id"
    " LEFT JOIN customer_signals s ON s.customer_id = p.customer_id"
)
SNAPSHOT_JOINS = INPUT_JOINS + " LEFT JOIN customer_standing st ON st.customer_id = p.customer_id"


def snapshot_select(codec: Codec, with_standing: bool = True) -> str:
    """The columns a snapshot is read from, over ``customer_profiles p`` and ``SNAPSHOT_JOINS``
    (``INPUT_JOINS`` without the stored standing, which a row then leaves out: a third of the values).
    Times the decisions read come back as whole epoch seconds, converted by the database exactly as
    the set-based path converts them."""

    def column(table: str, name: str) -> str:
        if not name.endswith("_at"):
            return f"{table}.{name}"
        if codec.is_postgres:
            return f"CAST(floor(date_part('epoch', {table}.{name})) AS BIGINT)"
        return f"unixepoch({table}.{name})"

    inputs = (
        f"p.customer_id, {', '.join(column('p', name) for name in _PROFILE)}, c.timezone,"
        f" s.customer_id, {', '.join(column('s', name) for name in SIGNAL_FIELDS)}"
    )
    if not with_standing:
        return inputs
    return (
        f"{inputs}, st.customer_id, {', '.join(column('st', name) for name in DECIDED)},"
        " st.lifecycle_since, st.ladder_since"
    )


def _sql(codec: Codec) -> str:
    selected = snapshot_select(codec)
    if not codec.is_postgres:
        # One JSON text a row, decoded by orjson in one call: the sqlite3 module turns each of the 46
        # values into a Python object at several times that cost. JSON columns stay text inside it
        # (re-encoding them in SQLite costs more than decoding them here).
        selected = f"json_array({selected})"
    return f"SELECT {selected} FROM customer_profiles p {SNAPSHOT_JOINS} WHERE p.customer_id IN ({{marks}})"


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
        (orders, revenue, first, last, previous, cancellations, returns, coupons, last_event,
         channels, histogram, categories, timezone) = self.profile  # fmt: skip
        return CustomerInputs(
            self.customer_id, orders, revenue, first, last, previous, cancellations, returns, coupons,
            last_event, channels, histogram, categories, timezone, signals,
        )  # fmt: skip


def load_snapshots(connection: Connection, customer_ids: Sequence[str]) -> dict[str, Snapshot]:
    codec = codec_for(connection)
    sql = _sql(codec)
    found: dict[str, Snapshot] = {}
    for part in chunks(sorted(set(customer_ids))):
        for row in fetchall(connection, sql.format(marks=codec.marks(len(part))), part):
            values = row if codec.is_postgres else orjson.loads(row[0])
            found[values[0]] = parse_snapshot(codec, values)
    return found


def parse_snapshot(codec: Codec, row: Sequence[Any]) -> Snapshot:
    """A snapshot from a row of ``snapshot_select``'s columns (with or without the standing)."""
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
    return Snapshot(row[0], _profile(codec, row[1:_SIGNALS_AT]), signals, stored)


def _profile(codec: Codec, values: Sequence[Any]) -> tuple[Any, ...]:
    read = codec.read_json
    histogram = read(values[10])
    return (
        *values[:9],
        read(values[9]),
        tuple(histogram) if len(histogram) == 24 else (0,) * 24,
        read(values[11]),
        values[12],
    )
