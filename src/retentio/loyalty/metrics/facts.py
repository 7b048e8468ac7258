"""The whole-number facts of one programme over a period, read set-based from the ledger's entries
(one query for the period's flows, one for what was outstanding at its end) and from the orders of
its members and of everyone else (the analytics area's facts, one read of the orders for both)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.analytics import BaseFacts, MetricSettings, Period, measure_split
from retentio.customers import customers
from retentio.loyalty.earning.members import members_enrolled_before
from retentio.loyalty.ledger.tables import loyalty_entries
from retentio.loyalty.programmes.settings import Programme


@dataclass(frozen=True, slots=True)
class LoyaltyFacts:
    programme: Programme
    customers: int  # customer records that existed at the end (merged ones not counted)
    members: int  # enrolled by the end, or with an entry in the programme's ledger by then
    earned: int  # points of the accruals in the period (orders and rewarded actions)
    returned: int  # points returns and cancellations took back from the period's accruals or later
    redeemed: int  # points spent in the period, less the spends cancelled in it
    expired: int  # points that expired in the period
    outstanding: int  # available and pending points at the end
    debt: int  # points owed by customers at the end (returns of points already spent)
    member_orders: BaseFacts  # the members' orders (money in the programme's currency)
    other_orders: BaseFacts  # every other customer's orders

    @property
    def net_earned(self) -> int:
        return self.earned - self.returned


def loyalty_facts(
    connection: Connection, programme: Programme, period: Period, settings: MetricSettings | None = None
) -> LoyaltyFacts:
    settings = MetricSettings(
        base_window_days=(settings or MetricSettings()).base_window_days,
        currency=programme.currency,
        fallback_currency=programme.currency,
    )
    flows = _flows(connection, programme.id, period)
    outstanding, debt = _outstanding(connection, programme.id, period)
    members = _members(connection, programme.id, period)
    member_orders, other_orders = measure_split(connection, period, settings, members)
    return LoyaltyFacts(
        programme=programme,
        customers=_customers(connection, period),
        members=len(members),
        earned=flows.earned,
        returned=flows.returned,
        redeemed=flows.redeemed - flows.cancelled,
        expired=flows.expired,
        outstanding=outstanding,
        debt=debt,
        member_orders=member_orders,
        other_orders=other_orders,
    )


@dataclass(frozen=True, slots=True)
class _Flows:
    earned: int
    returned: int
    redeemed: int
    cancelled: int
    expired: int


def _flows(connection: Connection, programme: str, period: Period) -> _Flows:
    entry, reversed_entry = loyalty_entries.alias("entry"), loyalty_entries.alias("reversed_entry")
    points = entry.c.available + entry.c.pending
    # A return of an accrual takes points from the lots, raises a debt or writes off a shortfall:
    # each is a point taken back.
    taken_back = entry.c.debt + entry.c.shortfall - points
    reversal = entry.c.kind == "reversal"
    row = connection.execute(
        select(
            _total(entry.c.kind == "accrual", points),
            _total(and_(reversal, reversed_entry.c.kind == "accrual"), taken_back),
            _total(entry.c.kind == "redemption", -entry.c.available),
            _total(and_(reversal, reversed_entry.c.kind == "redemption"), entry.c.available),
            _total(entry.c.kind == "expiry", -points),
        )
        .select_from(entry.outerjoin(reversed_entry, reversed_entry.c.id == entry.c.reverses))
        .where(
            entry.c.programme == programme,
            entry.c.occurred_at >= period.start,
            entry.c.occurred_at < period.end,
        )
    ).one()
    return _Flows(*(int(value) for value in row))


def _total(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _outstanding(connection: Connection, programme: str, period: Period) -> tuple[int, int]:
    row = connection.execute(
        select(
            func.coalesce(func.sum(loyalty_entries.c.available + loyalty_entries.c.pending), 0),
            func.coalesce(func.sum(loyalty_entries.c.debt), 0),
        ).where(loyalty_entries.c.programme == programme, loyalty_entries.c.occurred_at < period.end)
    ).one()
    return int(row[0]), int(row[1])


def _members(connection: Connection, programme: str, period: Period) -> list[str]:
    """Enrolled by the end, or holding points (an adjustment or a transfer to someone the consumer
    has not enrolled yet still makes them part of the programme)."""
    with_points = connection.execute(
        select(loyalty_entries.c.customer_id)
        .where(loyalty_entries.c.programme == programme, loyalty_entries.c.occurred_at < period.end)
        .distinct()
    ).scalars()
    return sorted(set(with_points) | set(members_enrolled_before(connection, programme, period.end)))


def _customers(connection: Connection, period: Period) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(customers)
            .where(customers.c.created_at < period.end, customers.c.merged_into.is_(None))
        ).scalar_one()
    )
