"""Providers' delivery reports turned into the message events they stand for, found by the id the
provider gave the message; the API appends them through ingestion like any other event, and the
messages consumer folds them into each message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retentio.db.batches import chunks
from retentio.messaging.channels.port import DeliveryReport, ReportStatus
from retentio.messaging.content import ChannelName
from retentio.messaging.push_sends import messages_by_push_provider_id
from retentio.messaging.tables import messages

EVENT_OF = {
    ReportStatus.DELIVERED: "message_delivered",
    ReportStatus.FAILED: "message_undelivered",
    ReportStatus.BOUNCED: "message_bounced",
    ReportStatus.COMPLAINED: "message_complained",
    ReportStatus.OPENED: "message_opened",
    ReportStatus.READ: "message_opened",
    ReportStatus.CLICKED: "message_clicked",
    ReportStatus.UNSUBSCRIBED: "message_unsubscribed",
}


def report_events(
    connection: Connection, channel: ChannelName, reports: Sequence[DeliveryReport], now: datetime
) -> tuple[list[dict[str, Any]], int]:
    """The events of the reports about messages Retentio sent, and how many reports named none."""
    owners = _messages_by_provider_id(connection, [report.provider_id for report in reports])
    found: list[dict[str, Any]] = []
    for report in reports:
        owner = owners.get(report.provider_id)
        if owner is None:
            continue
        message_id, customer_id = owner
        event_type = EVENT_OF[report.status]
        at = report.at or now
        properties: dict[str, Any] = {
            "message_id": message_id,
            "channel": channel.value,
            "provider_id": report.provider_id[:1000],
        }
        if report.reason:
            properties["reason"] = report.reason[:1000]
        found.append(
            {
                # A provider calling twice about the same status is one event.
                "event_id": f"{message_id}:{event_type.removeprefix('message_')}:{channel.value}:report",
                "type": event_type,
                "customer_id": customer_id,
                "timestamp": min(at, now).isoformat(),
                "properties": properties,
            }
        )
    return found, len(reports) - len(found)


def _messages_by_provider_id(
    connection: Connection, provider_ids: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """A push message went to several devices: each device's id is found through ``push_sends``."""
    found = messages_by_push_provider_id(connection, provider_ids)
    for part in chunks(sorted(set(provider_ids) - set(found))):
        query = select(messages.c.provider_id, messages.c.message_id, messages.c.customer_id).where(
            messages.c.provider_id.in_(part)
        )
        for row in connection.execute(query):
            found[row.provider_id] = (row.message_id, row.customer_id)
    return found
