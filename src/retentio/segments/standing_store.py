"""The standing row's decided values, and writing standing rows in bulk.

Like the profiles, these run on every ingested batch, so they talk to the driver (``db.codec``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from retentio.db.codec import Codec, codec_for, executemany
from retentio.segments.decide import Decided
from retentio.segments.rfm import RfmEdges
from retentio.segments.rfm_edges import load_thresholds
from retentio.segments.signals_store import stored_second
from retentio.segments.tables import customer_standing

DECIDED = Decided._fields  # a row is rewritten only when one of these differs
BOOKKEEPING = ("lifecycle_since", "ladder_since", "computed_at")


def save_standing(
    connection: Connection, rows: Mapping[str, tuple[Decided, Sequence[Any]]], existing: Collection[str] = ()
) -> None:
    """Upsert ``{customer_id: (decided values, (lifecycle_since, ladder_since, computed_at))}``; rows
    of ``existing`` customers are known to be there (a plain update)."""
    codec = codec_for(connection)
    names = (*DECIDED, *BOOKKEEPING)
    marks = [codec.json_mark() if name == "bad_reasons" else codec.mark for name in names]
    stamp = _stamper(codec)
    ordered = sorted(rows)
    assignments = ", ".join(f"{name} = {mark}" for name, mark in zip(names, marks, strict=True))
    executemany(
        connection,
        f"UPDATE customer_standing SET {assignments} WHERE customer_id = {codec.mark}",
        [(*_values(codec, stamp, *rows[cid]), cid) for cid in ordered if cid in existing],
    )
    updates = ", ".join(f"{name} = excluded.{name}" for name in names)
    executemany(
        connection,
        f"INSERT INTO customer_standing (customer_id, {', '.join(names)})"
        f" VALUES ({codec.mark}, {', '.join(marks)}) ON CONFLICT (customer_id) DO UPDATE SET {updates}",
        [(cid, *_values(codec, stamp, *rows[cid])) for cid in ordered if cid not in existing],
    )


def _values(
    codec: Codec, stamp: Callable[[datetime | None], Any], decided: Decided, bookkeeping: Sequence[Any]
) -> tuple[Any, ...]:
    lifecycle_since, ladder_since, computed_at = bookkeeping
    return (
        *decided[:8],
        orjson.dumps(decided.bad_reasons).decode(),
        *decided[9:14],
        stored_second(codec, decided.next_due_at),
        stamp(lifecycle_since),
        stamp(ladder_since),
        stamp(computed_at),
    )


def _stamper(codec: Codec) -> Callable[[datetime | None], Any]:
    """``codec.timestamp`` remembering its answers: a batch's rows share the computing time, and a
    customer's two since-times are mostly the same moment."""
    known: dict[datetime | None, Any] = {}

    def stamp(value: datetime | None) -> Any:
        if value in known:
            return known[value]
        known[value] = converted = codec.timestamp(value)
        return converted

    return stamp


def load_edges(connection: Connection) -> RfmEdges | None:
    """The RFM edges of the latest refresh (``None`` before the first one)."""
    thresholds = load_thresholds(connection)
    return thresholds.edges if thresholds is not None else None


# Below this, a schema change (which makes every other connection re-prepare) is not worth it.
REBUILD_MIN_ROWS = 50_000


@contextmanager
def due_index_rebuilt(connection: Connection, rows: int) -> Iterator[None]:
    """Write ``rows`` standing rows without the due-time index when they are most of the table (a
    sweep of a whole cohort, a first backfill), and build it again after: one sorted build costs less
    than moving a million entries one by one. SQLite only, where the index change is part of the
    transaction and readers keep their snapshot; PostgreSQL would lock readers out until commit."""
    total = int(connection.execute(select(func.count()).select_from(customer_standing)).scalar_one())
    if connection.dialect.name != "sqlite" or rows < max(total // 2, REBUILD_MIN_ROWS):
        yield
        return
    (index,) = customer_standing.indexes
    index.drop(connection)
    yield
    index.create(connection)
