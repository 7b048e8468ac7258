"""How much of the budget the period's offers have cost: the value of offers issued (not redeemed),
read from the decision log, per occasion and overall. Periods are calendar days, ISO weeks or months
in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, case, func, select

from retentio.offers.policy.model import BudgetState
from retentio.offers.policy.tables import offer_decisions
from retentio.types.money import from_minor


def period_start(period: str, now: datetime) -> tuple[datetime, str]:
    """The start of the period holding ``now`` and its label (2026-12-07, 2026-W50, 2026-12)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day, day.date().isoformat()
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return monday, f"{year}-W{week:02d}"
    if period == "month":
        return day.replace(day=1), f"{day.year}-{day.month:02d}"
    raise ValueError(f"unknown budget period {period!r}: day, week or month")


def read_budget(
    connection: Connection, period: str, occasion: str, currency: str, now: datetime
) -> BudgetState:
    start, label = period_start(period, now)
    log = offer_decisions.c
    row = connection.execute(
        select(
            func.coalesce(func.sum(case((log.occasion == occasion, log.cost_minor), else_=0)), 0),
            func.coalesce(func.sum(log.cost_minor), 0),
        ).where(log.decided_at >= start, log.decided_at <= now, log.currency == currency)
    ).one()
    return BudgetState(from_minor(int(row[0]), currency), from_minor(int(row[1]), currency), label)
