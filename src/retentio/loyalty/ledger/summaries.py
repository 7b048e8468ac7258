"""Many customers' points at once, as they stand at ``now`` (what the nightly run has not written
yet included): what messages show ("you have 420 points, 150 of them expire on 31 December").
Read from the lots, set-based: one query for any number of customers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select, type_coerce

from retentio.db.types import UtcDateTime
from retentio.loyalty.ledger.tables import loyalty_balances, loyalty_lots


@dataclass(frozen=True, slots=True)
class PointsSummary:
    available: int
    pending: int
    debt: int
    expiring_points: int  # what expires at the soonest expiry of the points available
    expiring_at: datetime | None


ZERO_POINTS = PointsSummary(0, 0, 0, 0, None)


def points_summaries(
    connection: Connection, programme: str, customer_ids: Iterable[str], now: datetime
) -> dict[str, PointsSummary]:
    """The customers with an account in ``programme``; the others have had no points."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    lots = loyalty_lots.c
    alive = or_(lots.expires_at.is_(None), lots.expires_at > now)
    active = _active(now)
    totals = connection.execute(
        select(
            lots.customer_id,
            func.sum(case((and_(active, alive), lots.remaining), else_=0)),
            func.sum(case((and_(~active, alive), lots.remaining), else_=0)),
            type_coerce(func.min(case((and_(active, alive), lots.expires_at))), UtcDateTime),
        )
        .where(lots.programme == programme, lots.customer_id.in_(ids), lots.remaining > 0)
        .group_by(lots.customer_id)
    ).all()
    soonest = {row[0]: row[3] for row in totals if row[3] is not None}
    expiring = _expiring(connection, programme, soonest, now)
    debts: dict[str, int] = {
        row[0]: int(row[1])
        for row in connection.execute(
            select(loyalty_balances.c.customer_id, loyalty_balances.c.debt).where(
                loyalty_balances.c.programme == programme, loyalty_balances.c.customer_id.in_(ids)
            )
        )
    }
    found = {
        customer_id: PointsSummary(
            int(available), int(pending), debts.get(customer_id, 0), expiring.get(customer_id, 0), at
        )
        for customer_id, available, pending, at in totals
    }
    for customer_id, debt in debts.items():
        found.setdefault(customer_id, PointsSummary(0, 0, debt, 0, None))
    return found


def _active(now: datetime) -> ColumnElement[bool]:
    """Activated, or due to be (the nightly run or the next change will write it)."""
    return or_(loyalty_lots.c.activated == 1, loyalty_lots.c.active_at <= now)


def _expiring(
    connection: Connection, programme: str, soonest: dict[str, datetime], now: datetime
) -> dict[str, int]:
    if not soonest:
        return {}
    lots = loyalty_lots.c
    rows = connection.execute(
        select(lots.customer_id, lots.expires_at, func.sum(lots.remaining))
        .where(
            lots.programme == programme,
            lots.customer_id.in_(sorted(soonest)),
            lots.remaining > 0,
            _active(now),
        )
        .group_by(lots.customer_id, lots.expires_at)
    ).all()
    return {row[0]: int(row[2]) for row in rows if row[1] is not None and row[1] == soonest[row[0]]}
