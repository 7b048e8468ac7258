"""The send step: the due work of kind ``messages.send``, run for a batch of messages at a time.

1. In one transaction: decide each message (consent, contact, caps, quiet hours, the cascade's next
   channel), render it, and record the step it is about to take (state ``sending``) — or record why
   it waits or is not sent. Nothing leaves the system yet.
2. After that commit: hand the batch to the channels at once (``loop.ChannelLoop``).
3. In a second transaction: record each provider's answer, the message events, and the work that
   follows (the cascade's next look, a retry after a temporary error).

A worker killed between 2 and 3 leaves messages in ``sending``: the row runs again and sends them
again with the same message id (the email's Message-ID, the providers' idempotency keys), so a
double is recognisable; push skips the devices that took the message already (``push_sends``).
Nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from retentio.clock import Clock
from retentio.db.retry import in_transaction
from retentio.events import Event, append_new_events
from retentio.loyalty import Programme
from retentio.messaging.channels.port import Outgoing, SendResult, SendStatus
from retentio.messaging.content import ChannelName, EmailBody, Kind
from retentio.messaging.decide import (
    Finished,
    MoveOn,
    NotSent,
    SendingRules,
    SendNow,
    Wait,
    WaitFor,
    decide,
    final_outcome,
    next_in_cascade,
)
from retentio.messaging.links import Links
from retentio.messaging.send.change import MessageChange
from retentio.messaging.send.facts import CustomerFacts, load_facts, recipient
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.send.plan import FINAL_STATE, as_decided, attempts_of
from retentio.messaging.send.render import RenderFailed, render_for
from retentio.messaging.status import State
from retentio.messaging.store import (
    Suppression,
    changes_of,
    load_messages,
    save_messages,
    suppress,
)
from retentio.messaging.template_store import CompiledTemplates
from retentio.schedule import Job, NewWork, enqueue

# Answers recorded in one transaction (see ``Sender.run``).
RECORD_EVERY = 25
# What an unreachable address is suppressed as; push channels remove their dead devices themselves
# (``channels.devices``), so the customer's other devices stay.
_UNREACHABLE_SUPPRESSION: dict[ChannelName, str | None] = {
    ChannelName.TELEGRAM: "blocked",
    ChannelName.VIBER: "blocked",
    ChannelName.PUSH: None,
    ChannelName.WEB_PUSH: None,
}


def message_id_of(key: str) -> str:
    """Rows of one message share its id before the first ``:`` (retries, waits, cascade looks)."""
    return key.split(":", 1)[0]


@dataclass
class Prepared:
    """What the first transaction decided: the sends to make and a line per message."""

    sends: list[tuple[str, Outgoing]] = field(default_factory=list)  # (message id, what to send)
    summaries: dict[str, str] = field(default_factory=dict)


@dataclass
class Sender:
    engine: Engine
    channels: ChannelLoop
    rules: SendingRules
    links: Links
    clock: Clock
    currency: str
    templates: CompiledTemplates = field(default_factory=CompiledTemplates)
    # The programme whose points messages show (``loyalty`` in templates); None: none.
    loyalty_programme: Programme | None = None

    def run(self, jobs: Sequence[Job]) -> list[str | None]:
        """The batch handler of ``messages.send``: a line per job saying what became of its message."""
        ids = [message_id_of(job.work.key) for job in jobs]
        prepared = in_transaction(self.engine, lambda connection: self._prepare(connection, ids))
        groups = [
            prepared.sends[at : at + RECORD_EVERY] for at in range(0, len(prepared.sends), RECORD_EVERY)
        ]
        # Answers are recorded a group at a time, while the next group is being sent: a worker killed
        # after a provider took a message and before its answer was recorded sends it again, so the
        # fewer unrecorded answers, the fewer such doubles (at most two groups per kill).
        sending = self.channels.start_sending([outgoing for _, outgoing in groups[0]]) if groups else None
        for index, group in enumerate(groups):
            assert sending is not None
            results = sending.result()
            if index + 1 < len(groups):
                sending = self.channels.start_sending([outgoing for _, outgoing in groups[index + 1]])
            self._record_group(group, results, prepared)
        return [prepared.summaries.get(message_id) for message_id in ids]

    def run_one(self, job: Job) -> str | None:
        return self.run([job])[0]

    # ---- 1: decide and render ---------------------------------------------------------------

    def _prepare(self, connection: Connection, ids: Sequence[str]) -> Prepared:
        now = self.clock.now()
        prepared = Prepared()
        messages = load_messages(connection, ids)
        customer_ids = {m.customer_id for m in messages.values()}
        facts = load_facts(connection, customer_ids, now, self.loyalty_programme)
        templates = self.templates.load(connection, {m.template for m in messages.values()})
        changes: list[dict[str, Any]] = []
        events: list[Event] = []
        follow_ups: list[NewWork] = []
        for message in messages.values():
            change = changes_of(message)
            step = MessageChange(message, change, events, follow_ups, now)
            summary = self._advance(step, facts.get(message.customer_id), templates, prepared)
            prepared.summaries[message.message_id] = summary
            if change != changes_of(message):
                changes.append(change)
        save_messages(connection, changes, now)
        append_new_events(connection, events, now)
        enqueue(connection, follow_ups, now)
        return prepared

    def _advance(
        self,
        step: MessageChange,
        facts: CustomerFacts | None,
        templates: Mapping[str, Any],
        prepared: Prepared,
    ) -> str:
        message = step.message
        if message.state.final:
            return f"already {message.state.value}"
        if facts is None:
            return step.not_sent("no_customer", f"customer {message.customer_id!r} is gone")
        decided = as_decided(message, self.channels.channels)
        if decided is None:
            return step.not_sent("no_channel", f"none of {list(message.channels)} is configured")
        if message.state is State.SENDING:  # the worker died after sending: send the same again
            return self._send(
                step, facts, templates, prepared, ChannelName(message.steps[-1]["channel"]), None
            )
        attempts = attempts_of(message)
        tried: frozenset[ChannelName] = frozenset()
        if attempts:
            progress = next_in_cascade(decided, attempts, step.now)
            if isinstance(progress, Finished):
                return step.finish(FINAL_STATE[progress.outcome], progress.channel)
            if isinstance(progress, WaitFor):
                return step.wait(progress.until, f"waiting for {progress.awaiting.value}")
            assert isinstance(progress, MoveOn)
            if all(each.channel in progress.tried for each in decided.channels.steps):
                outcome = final_outcome(attempts)
                return step.finish(FINAL_STATE[outcome.outcome], outcome.channel)
            tried = progress.tried
        decision = decide(decided, facts.customer, self.rules, facts.history, step.now, tried=tried)
        if isinstance(decision, NotSent):
            if tried:  # the cascade has no channel left to try
                outcome = final_outcome(attempts)
                return step.finish(FINAL_STATE[outcome.outcome], outcome.channel)
            return step.not_sent(decision.reason.value, decision.detail)
        if isinstance(decision, Wait):
            return step.wait(decision.until, decision.reason.value)
        assert isinstance(decision, SendNow)
        return self._send(step, facts, templates, prepared, decision.channel, decision)

    def _send(
        self,
        step: MessageChange,
        facts: CustomerFacts,
        templates: Mapping[str, Any],
        prepared: Prepared,
        channel: ChannelName,
        decision: SendNow | None,
    ) -> str:
        message = step.message
        compiled = templates.get(message.template)
        if compiled is None:
            return step.fail("template_error", f"template {message.template!r} was deleted")
        unsubscribe = (
            self.links.unsubscribe(message.message_id) if message.kind is not Kind.TRANSACTIONAL else None
        )
        try:
            address = recipient(facts.contacts, facts.customer, channel)
            body = render_for(compiled, channel, message, facts, self.links, self.currency, step.now)
        except (RenderFailed, ValueError) as error:
            return step.fail("template_error", str(error))
        outgoing = Outgoing(
            message_id=message.message_id,
            channel=channel,
            recipient=address,
            body=body,
            kind=message.kind,
            unsubscribe_url=unsubscribe if isinstance(body, EmailBody) else None,
        )
        step.sending(channel, address, None if decision is None else decision.consent_record_id)
        prepared.sends.append((message.message_id, outgoing))
        return f"sending on {channel.value}"

    # ---- 3: record the answers ----------------------------------------------------------------

    def _record_group(
        self, sends: Sequence[tuple[str, Outgoing]], results: Sequence[SendResult], prepared: Prepared
    ) -> None:
        in_transaction(self.engine, lambda connection: self._record(connection, sends, results, prepared))

    def _record(
        self,
        connection: Connection,
        sends: Sequence[tuple[str, Outgoing]],
        results: Sequence[SendResult],
        prepared: Prepared,
    ) -> None:
        now = self.clock.now()
        messages = load_messages(connection, [message_id for message_id, _ in sends])
        changes: list[dict[str, Any]] = []
        events: list[Event] = []
        follow_ups: list[NewWork] = []
        suppressions: list[Suppression] = []
        polled = self.channels.polled_channels()
        for (message_id, outgoing), result in zip(sends, results, strict=True):
            message = messages[message_id]
            change = changes_of(message)
            step = MessageChange(message, change, events, follow_ups, now, polled)
            prepared.summaries[message_id] = step.answered(outgoing, result)
            reason = _UNREACHABLE_SUPPRESSION.get(outgoing.channel, "invalid_address")
            if result.status is SendStatus.UNREACHABLE and reason is not None:
                suppressions.append(
                    Suppression(
                        outgoing.channel.value, outgoing.recipient, reason, result.reason, message.customer_id
                    )
                )
            changes.append(change)
        save_messages(connection, changes, now)
        suppress(connection, suppressions, now)
        append_new_events(connection, events, now)
        enqueue(connection, follow_ups, now)
