"""The messages consumer: reads what the log says happened to sent messages (delivered, opened,
clicked, bounced, complained, unsubscribed — from providers' callbacks, the tracking links and
clients alike) and folds it into each message, its suppressed addresses and the customer's consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retentio.customers import changes_that_differ, load_consent_timelines, record_consent_changes
from retentio.events import LoggedEvent
from retentio.messaging.outcomes import REPORT_TYPES, Report, fold
from retentio.messaging.requests import SEND
from retentio.messaging.status import State
from retentio.messaging.store import Suppression, changes_of, load_messages, save_messages, suppress
from retentio.schedule import NewWork, enqueue

MESSAGES_CONSUMER = "messages"


@dataclass(frozen=True, slots=True)
class MessagesConsumer:
    name: str = MESSAGES_CONSUMER

    @property
    def event_types(self) -> frozenset[str] | None:
        return REPORT_TYPES

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        reports = [report for logged in batch if (report := _report(logged)) is not None]
        if not reports:
            return
        stored = load_messages(connection, {report.message_id for report in reports})
        changed: dict[str, dict[str, Any]] = {}
        suppressions: list[Suppression] = []
        withdrawals: list[dict[str, Any]] = []
        look_again: list[NewWork] = []
        for report in reports:
            message = stored.get(report.message_id)
            if message is None:
                continue  # a report about a message another system sent
            change = changed.setdefault(message.message_id, changes_of(message))
            folded = fold(State(change["state"]), change["steps"], report)
            change["state"], change["steps"] = folded.state.value, folded.steps
            if folded.suppress is not None:
                channel, address, reason = folded.suppress
                suppressions.append(Suppression(channel, address, reason, report.reason, message.customer_id))
            if folded.withdraw is not None:
                withdrawals.append(
                    _withdrawal(message.customer_id, folded.withdraw, message.message_id, report, now)
                )
            if folded.look_again:
                key = f"{message.message_id}:{report.type}:{report.channel}"
                look_again.append(NewWork(SEND, key, now))
        save_messages(connection, list(changed.values()), now)
        suppress(connection, suppressions, now)
        if withdrawals:
            timelines = load_consent_timelines(connection, {row["customer_id"] for row in withdrawals})
            record_consent_changes(connection, changes_that_differ(timelines, withdrawals))
        enqueue(connection, look_again, now)


def _report(logged: LoggedEvent) -> Report | None:
    event = logged.event
    if event.type not in REPORT_TYPES:
        return None
    properties = event.properties
    message_id, channel = properties.get("message_id"), properties.get("channel")
    if not isinstance(message_id, str) or not isinstance(channel, str):
        return None
    reason = properties.get("reason")
    return Report(
        message_id,
        event.type,
        channel,
        event.occurred_at,
        machine=properties.get("machine") is True,
        reason=reason if isinstance(reason, str) else None,
    )


def _withdrawal(
    customer_id: str, channel: str, message_id: str, report: Report, now: datetime
) -> dict[str, Any]:
    # Web push shares the push consent; a complaint withdraws as an unsubscribe does.
    return {
        "customer_id": customer_id,
        "channel": "push" if channel == "web_push" else channel,
        "granted": False,
        "source": f"{report.type.removeprefix('message_')} from message {message_id}",
        "changed_at": report.at,
        "recorded_at": now,
    }
