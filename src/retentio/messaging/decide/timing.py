"""When a message may go (COM-7): outside quiet hours, at the customer's best hour where its kind
asks for one, within its validity.

Quiet hours are a rule: a message due inside them waits for their end, and when its validity ends
first it is not sent. The best hour is a preference: when the next best hour comes after the
message's validity, the message goes at the earliest moment outside quiet hours instead."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from retentio.messaging.content import Kind
from retentio.messaging.decide.best_hour import best_slot
from retentio.messaging.decide.decision import WaitReason
from retentio.messaging.decide.quiet import leave_quiet
from retentio.messaging.decide.rules import SendingRules


class SendTime(NamedTuple):
    at: datetime
    held_by: WaitReason | None  # what moved it past the earliest moment (None: nothing)
    fallback_hour: bool  # the best hour was the shop's fallback, for want of history


def send_time(
    earliest: datetime,
    zone: ZoneInfo,
    rules: SendingRules,
    kind: Kind,
    histogram: tuple[int, ...],
    valid_until: datetime | None,
    *,
    best_hour: bool = True,
) -> SendTime | None:
    """The moment at or after ``earliest`` the message goes; None when quiet hours last past its
    validity. ``best_hour=False``: go as soon as allowed (a cascade's next step, say)."""
    if kind is Kind.TRANSACTIONAL:
        return SendTime(earliest, None, False) if _valid(earliest, valid_until) else None
    quiet = rules.quiet_hours
    allowed = leave_quiet(earliest, zone, quiet)
    if not _valid(allowed, valid_until):
        return None
    held_by = WaitReason.QUIET_HOURS if allowed > earliest else None
    if not (best_hour and rules.best_hour and kind in rules.best_hour_kinds):
        return SendTime(allowed, held_by, False)
    slot = best_slot(earliest, zone, histogram, quiet, rules.fallback_hour, rules.best_hour_min_events)
    if slot is None or not _valid(slot.at, valid_until):
        return SendTime(allowed, held_by, False)
    return SendTime(slot.at, WaitReason.BEST_HOUR if slot.at > allowed else held_by, slot.fallback)


def _valid(at: datetime, valid_until: datetime | None) -> bool:
    return valid_until is None or at <= valid_until
