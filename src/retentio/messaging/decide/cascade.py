"""A cascade's progress (COM-6): after a step went out, wait, move on to the next channel, or stop.

One message, one outcome, several channels in order. A step's channel is given ``deliver_within``
(T) to deliver and, when the message waits until seen, ``seen_within`` (T') to be seen, both from
the moment it was sent. The cascade moves on when the step fails, is not delivered within T, or
(until seen) is not seen within T'; it stops as soon as the message is seen on any channel, or —
without "until seen" — delivered on any. A step without T that went out ends the cascade (sent).
When no step is left the cascade ends with the best that happened: seen, delivered, sent, failed.

Steps that cannot be used at all (no consent, no contact) never become attempts: ``decide`` passes
over them. When ``MoveOn`` finds ``decide`` has nothing left, the cascade ends with
``final_outcome``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from retentio.messaging.content import ChannelName
from retentio.messaging.decide.message import Message


@dataclass(frozen=True, slots=True)
class Attempt:
    """A step that went out: when, and what the provider reported since (``failed_at``: it failed
    or the contact turned out unreachable; a failure outweighs an earlier "delivered")."""

    channel: ChannelName
    sent_at: datetime
    delivered_at: datetime | None = None
    seen_at: datetime | None = None
    failed_at: datetime | None = None

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None and self.failed_at is None


class Outcome(StrEnum):
    SEEN = "seen"
    DELIVERED = "delivered"
    SENT = "sent"
    FAILED = "failed"


class Awaiting(StrEnum):
    DELIVERY = "delivery"
    SEEN = "seen"


class MoveOnReason(StrEnum):
    FAILED = "failed"
    NOT_DELIVERED = "not_delivered"  # not delivered within T
    NOT_SEEN = "not_seen"  # until seen: not seen within T'


@dataclass(frozen=True, slots=True)
class WaitFor:
    """Ask again at ``until``, or when a report about the message arrives."""

    until: datetime
    awaiting: Awaiting


@dataclass(frozen=True, slots=True)
class MoveOn:
    """Try the next channel: ``decide(..., tried=tried)``."""

    reason: MoveOnReason
    tried: frozenset[ChannelName]


@dataclass(frozen=True, slots=True)
class Finished:
    outcome: Outcome
    channel: ChannelName


Progress = WaitFor | MoveOn | Finished


def next_in_cascade(message: Message, attempts: Sequence[Attempt], now: datetime) -> Progress:
    """``attempts``: the steps that went out, in the order sent (at least one)."""
    if not attempts:
        raise ValueError(f"message {message.id}: no step went out yet; decide() chooses the first")
    seen = _first_seen(attempts)
    if seen is not None:
        return Finished(Outcome.SEEN, seen.channel)
    if not message.until_seen:
        delivered = _first_delivered(attempts)
        if delivered is not None:
            return Finished(Outcome.DELIVERED, delivered.channel)
    current = attempts[-1]
    if current.failed_at is not None:
        return _move_on(message, attempts, MoveOnReason.FAILED)
    step = message.channels.steps[message.channels.index_of(current.channel)]
    deliver_by = None
    if step.deliver_within is not None and not current.delivered:
        deliver_by = current.sent_at + step.deliver_within
        if now >= deliver_by:
            return _move_on(message, attempts, MoveOnReason.NOT_DELIVERED)
    if message.until_seen:
        assert step.seen_within is not None  # Message requires T' on every step of "until seen"
        seen_by = current.sent_at + step.seen_within
        if now >= seen_by:
            return _move_on(message, attempts, MoveOnReason.NOT_SEEN)
        if deliver_by is not None and deliver_by < seen_by:
            return WaitFor(deliver_by, Awaiting.DELIVERY)
        return WaitFor(seen_by, Awaiting.SEEN)
    if deliver_by is None:
        return Finished(Outcome.SENT, current.channel)
    return WaitFor(deliver_by, Awaiting.DELIVERY)


def final_outcome(attempts: Sequence[Attempt]) -> Finished:
    """The best that happened to the message on any of its channels."""
    if not attempts:
        raise ValueError("a cascade with no attempt has no outcome: it was not sent")
    seen = _first_seen(attempts)
    if seen is not None:
        return Finished(Outcome.SEEN, seen.channel)
    delivered = _first_delivered(attempts)
    if delivered is not None:
        return Finished(Outcome.DELIVERED, delivered.channel)
    for attempt in reversed(attempts):
        if attempt.failed_at is None:
            return Finished(Outcome.SENT, attempt.channel)
    return Finished(Outcome.FAILED, attempts[-1].channel)


def _move_on(message: Message, attempts: Sequence[Attempt], reason: MoveOnReason) -> Progress:
    tried = frozenset(attempt.channel for attempt in attempts)
    if all(step.channel in tried for step in message.channels.steps):
        return final_outcome(attempts)
    return MoveOn(reason, tried)


def _first_seen(attempts: Sequence[Attempt]) -> Attempt | None:
    seen = [attempt for attempt in attempts if attempt.seen_at is not None]
    return min(seen, key=_seen_at) if seen else None


def _first_delivered(attempts: Sequence[Attempt]) -> Attempt | None:
    delivered = [attempt for attempt in attempts if attempt.delivered]
    return min(delivered, key=_delivered_at) if delivered else None


def _seen_at(attempt: Attempt) -> datetime:
    assert attempt.seen_at is not None
    return attempt.seen_at


def _delivered_at(attempt: Attempt) -> datetime:
    assert attempt.delivered_at is not None
    return attempt.delivered_at
