"""Points for what a customer does besides buying (registration, subscription, review, referral,
birthday, profile completion), each rewarded ever once, once a calendar year or every time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from retentio.loyalty.programmes.settings import Action, Programme


@dataclass(frozen=True, slots=True)
class ActionDone:
    action: Action
    at: datetime
    # Tells occurrences apart for actions rewarded each time (the review's id, the friend's id).
    occurrence_id: str | None = None


@dataclass(frozen=True, slots=True)
class ActionPoints:
    action: Action
    points: int
    # The ledger credits a source once: the same action arriving twice finds its key taken. None when
    # nothing is credited.
    source_key: str | None
    refused: str | None = None  # why nothing is credited: not_rewarded, already_rewarded, ...


def points_for_action(
    programme: Programme, done: ActionDone, rewarded_before: Iterable[datetime]
) -> ActionPoints:
    """The reward for ``done`` given the instants this customer was rewarded for that action before."""
    rule = programme.actions.get(done.action)
    if rule is None or rule.points == 0:
        return ActionPoints(done.action, 0, None, "not_rewarded")
    earlier = [at for at in rewarded_before if at <= done.at]
    if rule.once == "ever":
        if earlier:
            return ActionPoints(done.action, 0, None, "already_rewarded")
        return ActionPoints(done.action, rule.points, f"{programme.id}:{done.action}")
    if rule.once == "yearly":
        year = done.at.astimezone(programme.zone).year
        if any(at.astimezone(programme.zone).year == year for at in earlier):
            return ActionPoints(done.action, 0, None, "already_rewarded_this_year")
        return ActionPoints(done.action, rule.points, f"{programme.id}:{done.action}:{year}")
    if not done.occurrence_id:
        raise ValueError(
            f"{done.action} is rewarded each time: give its occurrence_id so a repeat is credited once"
        )
    return ActionPoints(done.action, rule.points, f"{programme.id}:{done.action}:{done.occurrence_id}")
