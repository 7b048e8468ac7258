"""What a report about a sent message (delivered, opened, bounced…) does to that message: a pure
fold over its stored state and steps, so a report that arrives twice, or late, changes nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retentio.messaging.status import PROGRESS, State

# The log's message events that report on a message already sent, and what each says.
REPORT_TYPES = frozenset(
    {
        "message_delivered",
        "message_undelivered",
        "message_opened",
        "message_clicked",
        "message_bounced",
        "message_complained",
        "message_unsubscribed",
    }
)
_SEEN_TYPES = frozenset({"message_opened", "message_clicked"})


@dataclass(frozen=True, slots=True)
class Report:
    message_id: str
    type: str
    channel: str
    at: datetime
    machine: bool = False
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Folded:
    state: State
    steps: list[dict[str, Any]]
    # The address that must not be written to again on that channel, and why.
    suppress: tuple[str, str, str] | None = None  # (channel, address, reason)
    # The customer withdrew consent for this channel (an unsubscribe, a complaint).
    withdraw: str | None = None
    # The cascade must look at this message again now (its step bounced).
    look_again: bool = False


def fold(state: State, steps: list[Mapping[str, Any]], report: Report) -> Folded:
    """Apply ``report`` to a message whose state is ``state`` and whose steps are ``steps``."""
    new_steps = [dict(step) for step in steps]
    step = _step_of(new_steps, report.channel)
    at = report.at.isoformat()
    if report.type == "message_delivered":
        if step is not None:
            step.setdefault("delivered_at", at)
        return Folded(_forward(state, State.DELIVERED), new_steps)
    if report.type in _SEEN_TYPES:
        if report.machine:
            if step is not None:
                step.setdefault("machine_opened_at", at)
            return Folded(state, new_steps)
        if step is not None:
            step.setdefault("seen_at", at)
        return Folded(_forward(state, State.SEEN), new_steps)
    if report.type == "message_undelivered":  # the provider could not deliver it: the cascade moves on
        if step is not None:
            step.setdefault("failed_at", at)
            step.update(reason=report.reason or "not delivered")
        return Folded(state, new_steps, look_again=not state.final)
    if report.type == "message_bounced":
        if step is not None:
            step.setdefault("failed_at", at)
            step.update(outcome="bounced", reason=report.reason or "bounced")
        recipient = None if step is None else step.get("recipient")
        suppress = None if recipient is None else (report.channel, str(recipient), "hard_bounce")
        return Folded(state, new_steps, suppress=suppress, look_again=not state.final)
    if report.type == "message_complained":
        recipient = None if step is None else step.get("recipient")
        suppress = None if recipient is None else (report.channel, str(recipient), "complaint")
        return Folded(state, new_steps, suppress=suppress, withdraw=report.channel)
    if report.type == "message_unsubscribed":
        return Folded(state, new_steps, withdraw=report.channel)
    return Folded(state, new_steps)


def _forward(state: State, to: State) -> State:
    """A report never moves a message back (a delivery report after its open) nor out of an end."""
    if state.final or PROGRESS[to] <= PROGRESS[state]:
        return state
    return to


def _step_of(steps: list[dict[str, Any]], channel: str) -> dict[str, Any] | None:
    """The latest step on ``channel``: a cascade tries each channel once."""
    return next((step for step in reversed(steps) if step.get("channel") == channel), None)
