"""How terms add up to a membership, as plain data: live terms in the order they were bought, each
starting where the one before ends when bought before that one lapsed (an early renewal loses
nothing), else when bought."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Term:
    source: str
    via: str
    bought_at: datetime
    months: int
    ended: bool = False


@dataclass(frozen=True, slots=True)
class Standing:
    via: str
    started_at: datetime
    ends_at: datetime
    lapses_at: datetime


def standing(terms: Sequence[Term], grace_days: int) -> Standing | None:
    """The latest run of live terms (None: no live term)."""
    grace = timedelta(days=grace_days)
    current: Standing | None = None
    for term in sorted((t for t in terms if not t.ended), key=lambda t: (t.bought_at, t.source)):
        if current is not None and term.bought_at <= current.lapses_at:
            ends = add_months(max(current.ends_at, term.bought_at), term.months)
            current = Standing(current.via, current.started_at, ends, ends + grace)
        else:
            ends = add_months(term.bought_at, term.months)
            current = Standing(term.via, term.bought_at, ends, ends + grace)
    return current


def add_months(at: datetime, months: int) -> datetime:
    """The same day ``months`` later, or the month's last day (31 January + 1 month: 28/29 February)."""
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))
