"""When a lot of points becomes available and when it expires, and the inactivity rule — data the
ledger stores with each lot and the nightly job applies.

Expiry counts from when points become *available*, not from the order: a pending period (the return
window) never eats into the time a customer has to spend them. With no pending period the two are
the same instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from retentio.loyalty.programmes.settings import Programme


@dataclass(frozen=True, slots=True)
class LotDates:
    activates_at: datetime
    expires_at: datetime | None  # None: the lot itself never expires (inactivity may still take it)


def lot_dates(programme: Programme, accrued_at: datetime) -> LotDates:
    """The dates of a lot accrued at ``accrued_at`` (an order's time, an action's)."""
    activates_at = accrued_at + timedelta(days=programme.pending_days)
    return LotDates(activates_at, lot_expiry(programme, activates_at))


def lot_expiry(programme: Programme, available_at: datetime) -> datetime | None:
    rule = programme.expiry
    if rule.after_days is not None:
        return available_at + timedelta(days=rule.after_days)
    if rule.quarters_after is not None:
        return quarter_end(programme, available_at, rule.quarters_after)
    return None


def quarter_end(programme: Programme, at: datetime, quarters_after: int) -> datetime:
    """The first instant after the quarter ``quarters_after`` quarters after ``at``'s, local midnight."""
    local = at.astimezone(programme.zone)
    index = (local.month - 1) // 3 + quarters_after + 1  # quarters since January of local.year
    year, month = local.year + index // 4, (index % 4) * 3 + 1
    end = local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0, fold=0)
    return end.astimezone(at.tzinfo)


def inactivity_expiry(programme: Programme, last_purchase_at: datetime | None) -> datetime | None:
    """When every point of a customer whose last purchase was at ``last_purchase_at`` expires (None:
    the programme has no inactivity rule, or the customer never bought — then lots expire on their own)."""
    days = programme.expiry.inactive_days
    if days is None or last_purchase_at is None:
        return None
    return last_purchase_at + timedelta(days=days)


def expired_by_inactivity(programme: Programme, last_purchase_at: datetime | None, now: datetime) -> bool:
    deadline = inactivity_expiry(programme, last_purchase_at)
    return deadline is not None and now >= deadline
