"""Delivery reports asked for: providers that do not call back (SMSC), or whose callbacks may not be
set up (SMS.ru's is registered in its account), are asked what became of each message they accepted.

A message sent on a channel that polls gets a row of due work (``messages.poll_reports``) 1, 5, 15
and 60 minutes after it went out, then every hour, until the provider gives a final status or the
message's report is no longer worth waiting for (``until``: its validity, at least the first hour,
at most 72 hours). The rows due together are asked about together, per channel (SMS.ru takes 100 ids
a request). A report goes the callbacks' way (``record``: report events appended through ingestion),
so a report that also came by callback is the same event, stored once. A provider that fails to
answer, or answers what cannot be read, leaves the message asked about again at the next step of the
ladder: nothing is lost, and the worker goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from retentio.clock import Clock
from retentio.messaging.channels.port import DeliveryReport, Polled
from retentio.messaging.content import ChannelName
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.store import StoredMessage, load_messages
from retentio.schedule import Job, NewWork

log = logging.getLogger(__name__)

POLL_REPORTS = "messages.poll_reports"  # the due-work kind that asks providers for reports
# How long after the send each ask comes: a report usually arrives within minutes, a phone that is
# off may take hours; after the fourth ask, one an hour.
FIRST_ASKS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
THEN_EVERY = timedelta(hours=1)
# Operators keep trying a message for a day or three; no report comes after that.
LONGEST_WAIT = timedelta(hours=72)

# The report events of these reports, appended as the callbacks' are (``cli.messaging_wiring``).
Record = Callable[[ChannelName, Sequence[DeliveryReport], datetime], None]


def ask_at(sent_at: datetime, round_: int) -> datetime:
    """When the ``round_``-th ask (1-based) about a message sent at ``sent_at`` is due."""
    if round_ <= len(FIRST_ASKS):
        return sent_at + FIRST_ASKS[round_ - 1]
    return sent_at + FIRST_ASKS[-1] + THEN_EVERY * (round_ - len(FIRST_ASKS))


def asked_until(sent_at: datetime, valid_until: datetime | None) -> datetime:
    """The last time a report is asked for: the message's validity (an SMS is not worth knowing about
    once it is stale), but never before the first hour's asks nor after ``LONGEST_WAIT``."""
    longest = sent_at + LONGEST_WAIT
    if valid_until is None:
        return longest
    return min(longest, max(valid_until, sent_at + FIRST_ASKS[-1]))


@dataclass(frozen=True, slots=True)
class Poll:
    """One ask about one sent message, as its row of due work carries it."""

    message_id: str
    channel: ChannelName
    provider_id: str
    sent_at: datetime
    until: datetime
    round: int = 1

    def work(self) -> NewWork:
        payload = {
            "message_id": self.message_id,
            "channel": self.channel.value,
            "provider_id": self.provider_id,
            "sent_at": self.sent_at.isoformat(),
            "until": self.until.isoformat(),
            "round": self.round,
        }
        # The provider id is in the key: a message sent again after a crash, which a provider that
        # takes no idempotency key (SMS.ru) gave a second id, is asked about under both.
        key = f"{self.message_id}:poll:{self.provider_id[:120]}:{self.round}"
        return NewWork(POLL_REPORTS, key, self.due_at, payload)

    @property
    def due_at(self) -> datetime:
        return ask_at(self.sent_at, self.round)

    def next(self) -> Poll | None:
        """The next ask, or None when it would come after ``until``."""
        following = replace(self, round=self.round + 1)
        return following if following.due_at <= self.until else None

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> Poll:
        """Raises ``ValueError`` naming the field that is missing or wrong."""
        try:
            return cls(
                message_id=str(payload["message_id"]),
                channel=ChannelName(payload["channel"]),
                provider_id=str(payload["provider_id"]),
                sent_at=datetime.fromisoformat(payload["sent_at"]),
                until=datetime.fromisoformat(payload["until"]),
                round=int(payload["round"]),
            )
        except KeyError as missing:
            raise ValueError(f"a {POLL_REPORTS} row has no {missing}") from None
        except (TypeError, ValueError) as error:
            raise ValueError(f"a {POLL_REPORTS} row is not readable: {error}") from None


def first_poll(
    message_id: str, channel: ChannelName, provider_id: str, sent_at: datetime, valid_until: datetime | None
) -> NewWork:
    """The first ask about a message the provider has just accepted."""
    return Poll(message_id, channel, provider_id, sent_at, asked_until(sent_at, valid_until)).work()


def already_reported(message: StoredMessage | None, poll: Poll) -> bool:
    """The message's step with this provider id has its final word (a callback, an earlier poll),
    or the message is gone: nothing to ask."""
    if message is None:
        return True
    return any(
        step.get("provider_id") == poll.provider_id and ("delivered_at" in step or "failed_at" in step)
        for step in message.steps
    )


@dataclass
class ReportPoller:
    engine: Engine
    channels: ChannelLoop
    record: Record
    clock: Clock

    def run(self, jobs: Sequence[Job]) -> list[str | None]:
        """The batch handler of ``messages.poll_reports``: a line per job saying what was learnt."""
        lines: list[str | None] = [None] * len(jobs)
        polls: dict[int, Poll] = {}
        for index, job in enumerate(jobs):
            try:
                polls[index] = Poll.of(job.payload)
            except ValueError as error:  # a row no ask can come of: said, and not asked again
                lines[index] = str(error)
        with self.engine.connect() as connection:
            stored = load_messages(connection, {poll.message_id for poll in polls.values()})
        asking: dict[ChannelName, dict[int, Poll]] = {}
        polling = self.channels.polled_channels()
        for index, poll in polls.items():
            if already_reported(stored.get(poll.message_id), poll):
                lines[index] = f"{poll.message_id}: already reported"
            elif poll.channel not in polling:  # the settings changed since the send
                lines[index] = (
                    f"{poll.message_id}: {poll.channel.value} reports are not polled here, not asked"
                )
            else:
                asking.setdefault(poll.channel, {})[index] = poll
        for channel, asked in asking.items():
            polled = self.channels.poll(channel, sorted({poll.provider_id for poll in asked.values()}))
            self._answered(channel, asked, polled, jobs, lines)
        return lines

    def run_one(self, job: Job) -> str | None:
        return self.run([job])[0]

    def _answered(
        self,
        channel: ChannelName,
        asked: Mapping[int, Poll],
        polled: Polled,
        jobs: Sequence[Job],
        lines: list[str | None],
    ) -> None:
        reports = {report.provider_id: report for report in polled.reports}
        wanted = {poll.provider_id for poll in asked.values()}
        self.record(
            channel, [report for report in reports.values() if report.provider_id in wanted], self.clock.now()
        )
        for index, poll in asked.items():
            report = reports.get(poll.provider_id)
            if report is not None:
                lines[index] = (
                    f"{poll.message_id}: {report.status.value} ({poll.provider_id}, ask {poll.round})"
                )
                continue
            why = polled.unknown.get(poll.provider_id)
            said = "no news" if why is None else f"status unknown: {why}"
            if why is not None:
                log.warning(
                    "%s status of %s (message %s) unknown: %s",
                    channel.value,
                    poll.provider_id,
                    poll.message_id,
                    why,
                )
            following = poll.next()
            if following is None:
                lines[index] = (
                    f"{poll.message_id}: {said}; no report by {poll.until.isoformat()}, not asked again"
                )
                continue
            jobs[index].enqueue(following.work())
            lines[index] = f"{poll.message_id}: {said}; asks again at {following.due_at.isoformat()}"
