"""The tier a customer holds now, replayed from the status last stored.

Rules (LOY-3):
- **Upgrades at once**: a purchase that lifts the measure over a higher threshold moves the customer up
  at that purchase's instant.
- **Reviews**: a tier is reviewed at ``anchor + k × review_every_months``; the anchor is the tier's
  start (``review_from = "tier_start"``) or the customer's enrolment (``"enrolment"``). A customer who
  still qualifies at a review keeps the tier until the next one.
- **Grace**: one who falls short at a review keeps the tier for ``grace_days`` more; a purchase in that
  time that reaches the tier again renews it (from the review). Otherwise, at the end of the grace
  period, the customer moves down to the best level they reached at the review or by a purchase in
  the grace period — never lower for having spent more.

The replay is a function of the history, the stored status and ``now``: however often or late the
nightly job or an order calls it, the same inputs give the same tier, and ``changes`` lists each move
with its instant (the ``tier_changed`` events the wiring appends, idempotent by their instant).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from retentio.loyalty.tiers.definition import TierDefinition
from retentio.loyalty.tiers.measure import Purchase, Qualification


@dataclass(frozen=True, slots=True)
class TierStatus:
    """What is stored per member: the tier, since when, the instant reviews count from, and the last
    instant the tier was confirmed (its start, or a review it passed)."""

    level: str
    since: datetime
    anchor: datetime
    confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class TierChange:
    at: datetime
    from_level: str
    to_level: str
    direction: Literal["upgrade", "downgrade"]


@dataclass(frozen=True, slots=True)
class TierEvaluation:
    status: TierStatus
    changes: tuple[TierChange, ...]
    # A review found the customer short: the tier is kept until then unless a purchase renews it.
    grace_until: datetime | None = None
    next_review: datetime | None = None


def initial_status(definition: TierDefinition, enrolled_at: datetime) -> TierStatus:
    """A new member: the first level, reviewed from enrolment."""
    return TierStatus(definition.levels[0].id, enrolled_at, enrolled_at, enrolled_at)


def evaluate_tier(
    definition: TierDefinition, history: Iterable[Purchase], current: TierStatus, now: datetime
) -> TierEvaluation:
    """The tier at ``now`` given every qualifying purchase (also those before ``current``)."""
    definition.level(current.level)  # an unknown tier is an error here, not a silent first level
    replay = _Replay(definition, Qualification(definition, history), current)
    return replay.run(now)


def review_after(definition: TierDefinition, status: TierStatus) -> datetime:
    """The first review of ``status`` after it was last confirmed."""
    months = definition.review_every_months
    step = 1
    while True:
        review = _add_months(status.anchor, months * step, definition)
        if review > status.confirmed_at:
            return review
        step += 1


class _Replay:
    def __init__(self, definition: TierDefinition, qualification: Qualification, status: TierStatus) -> None:
        self.definition = definition
        self.qualification = qualification
        self.status = status
        self.changes: list[TierChange] = []
        self.cursor = status.confirmed_at  # purchases after this have not been looked at in this run

    def run(self, now: datetime) -> TierEvaluation:
        grace = timedelta(days=self.definition.grace_days)
        while True:
            review = review_after(self.definition, self.status)
            for at in self.qualification.purchase_times(self.cursor, min(review, now)):
                self._purchase(at)
            self.cursor = max(self.cursor, min(review, now))
            if review_after(self.definition, self.status) != review:
                continue  # an upgrade moved the review
            if review > now:
                return self._result(None, review)
            if self._rank_at(review) >= self._rank():
                self._confirm(review)
                continue
            outcome = self._grace(review, min(review + grace, now))
            if outcome is None:
                continue
            if review + grace > now:
                return self._result(review + grace, review)
            self._move(review + grace, outcome)

    def _grace(self, review: datetime, until: datetime) -> str | None:
        """Purchases in the grace period: None when one renews or lifts the tier, else the best level
        reached at the review or in the grace period (where the customer goes when it ends)."""
        best = self._rank_at(review)
        for at in self.qualification.purchase_times(max(self.cursor, review), until):
            self.cursor = at
            reached = self._rank_at(at)
            if reached > self._rank():
                self._move(at, self.definition.ids[reached])
                return None
            if reached == self._rank():
                self._confirm(review)
                return None
            best = max(best, reached)
        return self.definition.ids[best]

    def _purchase(self, at: datetime) -> None:
        reached = self._rank_at(at)
        if reached > self._rank():
            self._move(at, self.definition.ids[reached])

    def _move(self, at: datetime, level: str) -> None:
        direction: Literal["upgrade", "downgrade"] = (
            "upgrade" if self.definition.rank(level) > self._rank() else "downgrade"
        )
        self.changes.append(TierChange(at, self.status.level, level, direction))
        anchor = at if self.definition.review_from == "tier_start" else self.status.anchor
        self.status = TierStatus(level, at, anchor, at)
        self.cursor = max(self.cursor, at)

    def _confirm(self, review: datetime) -> None:
        self.status = replace(self.status, confirmed_at=review)

    def _rank(self) -> int:
        return self.definition.rank(self.status.level)

    def _rank_at(self, at: datetime) -> int:
        level = self.definition.qualifying(self.qualification.measure(at))
        return self.definition.rank(level.id)

    def _result(self, grace_until: datetime | None, review: datetime) -> TierEvaluation:
        return TierEvaluation(self.status, tuple(self.changes), grace_until, review)


def _add_months(start: datetime, months: int, definition: TierDefinition) -> datetime:
    """The same local day and time ``months`` later (the month's last day when it is shorter)."""
    local = start.astimezone(definition.zone)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(start.tzinfo)
