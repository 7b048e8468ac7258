"""The devices each push message went to (``tables.push_sends``), each recorded the moment its
provider accepted it: a resend after a crash skips them, and a provider's report about one device
finds its message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.db.batches import chunks, insert_ignoring_duplicates
from retentio.messaging.tables import messages, push_sends


def accepted_devices(connection: Connection, message_id: str) -> dict[int, str]:
    """The devices that accepted this message already: device id → the provider's id."""
    query = select(push_sends.c.device_id, push_sends.c.provider_id).where(
        push_sends.c.message_id == message_id
    )
    return {row.device_id: row.provider_id for row in connection.execute(query)}


def record_push_send(
    connection: Connection, message_id: str, device_id: int, provider_id: str, now: datetime
) -> None:
    row = {
        "message_id": message_id,
        "device_id": device_id,
        "provider_id": provider_id[:1000],
        "sent_at": now,
    }
    connection.execute(insert_ignoring_duplicates(connection, push_sends), [row])


def messages_by_push_provider_id(
    connection: Connection, provider_ids: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """provider id → (message id, customer id), for the ids a device's send got."""
    found: dict[str, tuple[str, str]] = {}
    for part in chunks(sorted(set(provider_ids))):
        query = (
            select(push_sends.c.provider_id, messages.c.message_id, messages.c.customer_id)
            .join(messages, messages.c.message_id == push_sends.c.message_id)
            .where(push_sends.c.provider_id.in_(part))
        )
        for row in connection.execute(query):
            found[row.provider_id] = (row.message_id, row.customer_id)
    return found
