"""The standing row's decided values, and writing standing rows in bulk.

Like the profiles, these run on every ingested batch, so they talk to the driver (``db.codec``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from retentio.db.codec import Codec, codec_for, executemany
from retentio.segments.decide import Standing
from retentio.segments.inputs import to_datetime
from retentio.segments.rfm import RfmEdges
from retentio.segments.rfm_edges import load_thresholds
from retentio.segments.tables import customer_standing

# What a decision sets; a row is rewritten only when one of these differs.
DECIDED = (
    "rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_segment", "lifecycle", "ladder", "bad_score",
    "bad_customer", "bad_reasons", "do_not_incentivize", "reward_propensity", "preferred_channel",
    "preferred_hour", "usual_interval_days", "next_due_at",
)  # fmt: skip
BOOKKEEPING = ("lifecycle_since", "ladder_since", "computed_at")
Decided = tuple[Any, ...]


def decided_values(standing: Standing) -> Decided:
    rfm, facts = standing.rfm, standing.facts
    return (
        rfm.recency if rfm else None,
        rfm.frequency if rfm else None,
        rfm.monetary if rfm else None,
        standing.rfm_segment,
        standing.lifecycle,
        standing.ladder,
        standing.bad_score,
        standing.bad_customer,
        list(standing.bad_reasons),
        standing.do_not_incentivize,
        facts.reward_propensity,
        facts.preferred_channel,
        facts.preferred_hour,
        facts.usual_interval_days,
        standing.next_due_at,
    )


def save_standing(
    connection: Connection, rows: Mapping[str, tuple[Decided, Sequence[Any]]], existing: Collection[str] = ()
) -> None:
    """Upsert ``{customer_id: (decided values, (lifecycle_since, ladder_since, computed_at))}``; rows
    of ``existing`` customers are known to be there (a plain update)."""
    codec = codec_for(connection)
    names = (*DECIDED, *BOOKKEEPING)
    marks = [codec.json_mark() if name == "bad_reasons" else codec.mark for name in names]
    ordered = sorted(rows)
    assignments = ", ".join(f"{name} = {mark}" for name, mark in zip(names, marks, strict=True))
    executemany(
        connection,
        f"UPDATE customer_standing SET {assignments} WHERE customer_id = {codec.mark}",
        [(*_row(codec, cid, *rows[cid])[1:], cid) for cid in ordered if cid in existing],
    )
    updates = ", ".join(f"{name} = excluded.{name}" for name in names)
    executemany(
        connection,
        f"INSERT INTO customer_standing (customer_id, {', '.join(names)})"
        f" VALUES ({codec.mark}, {', '.join(marks)}) ON CONFLICT (customer_id) DO UPDATE SET {updates}",
        [_row(codec, cid, *rows[cid]) for cid in ordered if cid not in existing],
    )


def _row(codec: Codec, customer_id: str, decided: Decided, bookkeeping: Sequence[Any]) -> tuple[Any, ...]:
    values = list(decided)
    values[8] = orjson.dumps(values[8]).decode()
    values[14] = codec.timestamp(to_datetime(values[14]))
    return (customer_id, *values, *(codec.timestamp(value) for value in bookkeeping))


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
