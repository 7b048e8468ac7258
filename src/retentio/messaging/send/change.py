"""One message's change in one transaction of the send step: its new state and steps, the message
events it makes, and the work that follows (a wait, the cascade's next look, a retry, a poll of
delivery reports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from retentio.events import Event
from retentio.messaging.channels.port import Outgoing, SendResult, SendStatus
from retentio.messaging.content import ChannelName
from retentio.messaging.decide import Reason
from retentio.messaging.reports_polling import first_poll
from retentio.messaging.requests import SEND
from retentio.messaging.send.plan import REPORTS_DELIVERY
from retentio.messaging.status import State
from retentio.messaging.store import StoredMessage
from retentio.schedule import NewWork

# A temporary error is retried after this long, doubling each time (the provider's Retry-After wins).
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


@dataclass
class MessageChange:
    """One message's change in one transaction, with the events and follow-up work it makes."""

    message: StoredMessage
    change: dict[str, Any]
    events: list[Event]
    follow_ups: list[NewWork]
    now: datetime
    polled: frozenset[ChannelName] = frozenset()  # channels whose reports are asked for

    def not_sent(self, reason: str, detail: str) -> str:
        state = State.EXPIRED if reason == Reason.EXPIRED.value else State.NOT_SENT
        self.change.update(state=state.value, reason=reason, detail=detail)
        self._event("message_not_sent", self.message.channel or "outbox", reason=reason)
        return f"not sent: {reason} ({detail})"

    def fail(self, reason: str, detail: str) -> str:
        self.change.update(state=State.FAILED.value, reason=reason, detail=detail)
        self._event("message_failed", self.message.channel or "outbox", reason=reason)
        return f"failed: {reason} ({detail})"

    def finish(self, state: State, channel: ChannelName) -> str:
        self.change.update(state=state.value, channel=channel.value)
        if state is State.FAILED:
            self.change.update(reason="every_channel_failed", detail=_failures(self.change["steps"]))
            self._event("message_failed", channel.value, reason="every_channel_failed")
        return f"{state.value} on {channel.value}"

    def wait(self, until: datetime, why: str) -> str:
        self.change.update(detail=f"{why} until {until.isoformat()}")
        self.follow_ups.append(NewWork(SEND, f"{self.message.message_id}:at:{until.isoformat()}", until))
        return f"waits until {until.isoformat()} ({why})"

    def sending(self, channel: ChannelName, address: str, consent_id: int | None) -> None:
        steps = self.change["steps"]
        if self.message.state is not State.SENDING:
            steps.append(
                {
                    "channel": channel.value,
                    "recipient": address,
                    "outcome": "sending",
                    "at": self.now.isoformat(),
                }
            )
        self.change.update(state=State.SENDING.value, channel=channel.value, steps=steps)
        if consent_id is not None:
            self.change["consent_change_id"] = consent_id

    def answered(self, outgoing: Outgoing, result: SendResult) -> str:
        steps = self.change["steps"]
        last = steps[-1]
        channel = outgoing.channel.value
        if result.status is SendStatus.SENT:
            last.update(outcome="sent", sent_at=self.now.isoformat(), provider_id=result.provider_id)
            self.change.update(
                state=State.SENT.value, provider_id=result.provider_id, reason=None, detail=None
            )
            self.change["sent_at"] = self.change["sent_at"] or self.now
            self._event("message_sent", channel, provider_id=result.provider_id)
            if outgoing.channel in self.polled and result.provider_id:
                self.follow_ups.append(
                    first_poll(
                        self.message.message_id,
                        outgoing.channel,
                        result.provider_id,
                        self.now,
                        self.message.valid_until,
                    )
                )
            deadline = self._deadline(outgoing.channel)
            if deadline is not None:  # the cascade looks again when delivery or "seen" is due
                self._look_again(deadline, f"check:{channel}")
            return f"sent on {channel} ({result.provider_id})"
        if result.status is SendStatus.RETRY:
            retries = sum(1 for step in steps if step.get("outcome") == "retry")
            last.update(outcome="retry", reason=result.reason)
            wait = _retry_wait(retries, result.retry_after)
            self.change.update(state=_state_before(steps).value, detail=f"retry: {result.reason}")
            self._look_again(self.now + wait, f"retry{retries + 1}")
            return f"retry on {channel} in {wait.total_seconds():.0f} s: {result.reason}"
        outcome = "unreachable" if result.status is SendStatus.UNREACHABLE else "failed"
        last.update(outcome=outcome, reason=result.reason, failed_at=self.now.isoformat())
        self.change.update(state=_state_before(steps).value, detail=f"{channel}: {result.reason}")
        self._event("message_failed", channel, reason=result.reason[:1000])
        self._look_again(self.now, f"{outcome}:{channel}")
        return f"{outcome} on {channel}: {result.reason}"

    def _deadline(self, channel: ChannelName) -> datetime | None:
        times = []
        if channel in REPORTS_DELIVERY:
            times.append(self.now + timedelta(seconds=self.message.deliver_within_seconds))
        if self.message.until_seen:
            times.append(self.now + timedelta(seconds=self.message.seen_within_seconds))
        return min(times, default=None)

    def _look_again(self, at: datetime, why: str) -> None:
        """The next run of this message's cascade (the next channel, a check of delivery, a retry)."""
        self.follow_ups.append(NewWork(SEND, f"{self.message.message_id}:{why}:{at.isoformat()}", at))

    def _event(self, type_: str, channel: str, **extra: Any) -> None:
        properties = {"message_id": self.message.message_id, "channel": channel, **extra}
        suffix = len(self.events)
        self.events.append(
            Event(
                event_id=f"{self.message.message_id}:{type_.removeprefix('message_')}:{channel}:{self.now.isoformat()}:{suffix}",
                type=type_,
                customer_id=self.message.customer_id,
                anonymous_id=None,
                occurred_at=self.now,
                properties=properties,
                typed=None,
                derived=True,
            )
        )


def _state_before(steps: Sequence[Mapping[str, Any]]) -> State:
    """After a step that did not go out: sent when an earlier step of the cascade did, else waiting."""
    return State.SENT if any(step.get("outcome") == "sent" for step in steps[:-1]) else State.WAITING


def _retry_wait(retries: int, retry_after: float | None) -> timedelta:
    wait: timedelta = min(FIRST_RETRY * 2 ** min(retries, 20), LONGEST_RETRY)
    return max(wait, timedelta(seconds=retry_after)) if retry_after is not None else wait


def _failures(steps: Sequence[Mapping[str, Any]]) -> str:
    return "; ".join(f"{step['channel']}: {step.get('reason', step.get('outcome'))}" for step in steps)
