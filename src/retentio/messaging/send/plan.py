"""Turning a stored message into what the decisions read (its cascade of steps and the attempts
made so far), and a decision or a cascade's progress into the message's next state."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from retentio.messaging.content import ChannelName
from retentio.messaging.decide import Attempt, Channels, Message, Outcome, Step
from retentio.messaging.requests import AUTO
from retentio.messaging.status import State
from retentio.messaging.store import StoredMessage

# Channels whose providers say when a message was delivered; on the others a send that went out is
# all there is to know, so the cascade gives them no delivery deadline.
REPORTS_DELIVERY = frozenset({ChannelName.SMS, ChannelName.VIBER})
# Step outcomes that mean the step went out (an attempt of the cascade).
WENT_OUT = frozenset({"sent", "failed", "unreachable", "bounced"})
FINAL_STATE = {
    Outcome.SEEN: State.SEEN,
    Outcome.DELIVERED: State.DELIVERED,
    Outcome.SENT: State.SENT,
    Outcome.FAILED: State.FAILED,
}


def as_decided(message: StoredMessage, configured: Collection[ChannelName]) -> Message | None:
    """The message as the decisions see it; None when none of its channels is configured here."""
    names = list(configured) if message.channels == (AUTO,) else [ChannelName(c) for c in message.channels]
    names = [name for name in names if name in configured]
    if not names:
        return None
    steps = tuple(_step(message, name) for name in names)
    channels = Channels(steps, auto=message.channels == (AUTO,))
    return Message(
        id=message.message_id,
        kind=message.kind,
        channels=channels,
        due_at=message.due_at,
        valid_until=message.valid_until,
        priority=message.priority,
        until_seen=message.until_seen,
        incentive=message.incentive,
    )


def attempts_of(message: StoredMessage) -> list[Attempt]:
    return [_attempt(step) for step in message.steps if step.get("outcome") in WENT_OUT]


def _step(message: StoredMessage, channel: ChannelName) -> Step:
    deliver = timedelta(seconds=message.deliver_within_seconds) if channel in REPORTS_DELIVERY else None
    seen = timedelta(seconds=message.seen_within_seconds) if message.until_seen else None
    return Step(channel, deliver, seen)


def _attempt(step: Mapping[str, Any]) -> Attempt:
    return Attempt(
        channel=ChannelName(step["channel"]),
        sent_at=_time(step.get("sent_at")) or datetime.fromisoformat(step["at"]),
        delivered_at=_time(step.get("delivered_at")),
        seen_at=_time(step.get("seen_at")),
        failed_at=_time(step.get("failed_at")),
    )


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
