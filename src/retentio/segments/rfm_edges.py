"""Computing and storing the RFM quintile edges of the current base (the buyers), and choosing the
customers a refresh must re-decide when only the edges moved."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.customers import customer_profiles as p
from retentio.db.batches import upsert
from retentio.db.codec import fetchall
from retentio.segments.config import SegmentsConfig
from retentio.segments.inputs import to_datetime
from retentio.segments.rfm import Edges, RfmEdges, quintile_edges
from retentio.segments.sql_dialect import epoch
from retentio.segments.tables import customer_standing, rfm_thresholds


@dataclass(frozen=True, slots=True)
class Thresholds:
    edges: RfmEdges
    config_digest: str


def config_digest(config: SegmentsConfig) -> str:
    """Changes whenever any setting changes (the settings are frozen dataclasses of plain values)."""
    return hashlib.sha256(repr(config).encode()).hexdigest()


def compute_edges(connection: Connection) -> RfmEdges:
    query = select(epoch(p.c.last_order_at), p.c.orders, p.c.revenue_minor).where(
        p.c.orders >= 1, p.c.last_order_at.is_not(None)
    )
    # Constants only, so the statement can be rendered whole and read straight from the driver.
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    rows = fetchall(connection, sql, ())
    values = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return RfmEdges(
        recency=quintile_edges(values[:, 0]),
        frequency=quintile_edges(values[:, 1]),
        monetary=quintile_edges(values[:, 2]),
        buyers=len(rows),
    )


def store_thresholds(connection: Connection, thresholds: Thresholds, now: datetime) -> None:
    edges = thresholds.edges
    row = {
        "computed_at": now,
        "buyers": edges.buyers,
        "recency_edges": list(edges.recency),
        "frequency_edges": list(edges.frequency),
        "monetary_edges": list(edges.monetary),
        "config_digest": thresholds.config_digest,
    }
    upsert(connection, rfm_thresholds, [row])


def load_thresholds(connection: Connection) -> Thresholds | None:
    row = connection.execute(
        select(rfm_thresholds).order_by(rfm_thresholds.c.computed_at.desc()).limit(1)
    ).first()
    if row is None:
        return None
    edges = RfmEdges(
        _four(row.recency_edges), _four(row.frequency_edges), _four(row.monetary_edges), row.buyers
    )
    return Thresholds(edges, row.config_digest)


def _four(values: Any) -> Edges:
    first, second, third, fourth = (int(value) for value in values)
    return (first, second, third, fourth)


def may_change(before: RfmEdges, after: RfmEdges) -> ColumnElement[bool]:
    """Customers whose standing can differ after the edges moved from ``before`` to ``after``: those
    never decided, and those with a value between an old and a new edge (the only scores that move)."""
    terms: list[ColumnElement[bool]] = [customer_standing.c.customer_id.is_(None)]
    for old_edge, new_edge in zip(before.recency, after.recency, strict=True):
        low, high = sorted((old_edge, new_edge))
        if low != high:  # whole seconds in (low, high] are the stored times in [low + 1, high + 1)
            lower, upper = to_datetime(low + 1), to_datetime(high + 1)
            terms.append(and_(p.c.last_order_at >= lower, p.c.last_order_at < upper))
    for column, olds, news in (
        (p.c.orders, before.frequency, after.frequency),
        (p.c.revenue_minor, before.monetary, after.monetary),
    ):
        for old_edge, new_edge in zip(olds, news, strict=True):
            low, high = sorted((old_edge, new_edge))
            if low != high:
                terms.append(and_(column > low, column <= high))
    return or_(*terms)
