"""Reading and writing messages and suppressed addresses: the rows behind ``tables``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, select, tuple_, update

from retentio.db.batches import chunks, insert_ignoring_duplicates
from retentio.messaging.content import Kind
from retentio.messaging.status import State
from retentio.messaging.tables import messages, suppressions


@dataclass(frozen=True, slots=True)
class StoredMessage:
    message_id: str
    idempotency_key: str
    customer_id: str
    template: str
    kind: Kind
    priority: int
    channels: tuple[str, ...]
    until_seen: bool
    incentive: bool
    deliver_within_seconds: int
    seen_within_seconds: int
    variables: Mapping[str, Any]
    requested_at: datetime
    due_at: datetime
    valid_until: datetime | None
    state: State
    reason: str | None
    detail: str | None
    channel: str | None
    provider_id: str | None
    consent_change_id: int | None
    steps: tuple[Mapping[str, Any], ...]
    sent_at: datetime | None
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        """What the API and ``retentio messages show`` print."""
        return {
            "message_id": self.message_id,
            "idempotency_key": self.idempotency_key,
            "customer_id": self.customer_id,
            "template": self.template,
            "kind": self.kind.value,
            "priority": self.priority,
            "channels": list(self.channels),
            "incentive": self.incentive,
            "state": self.state.value,
            "reason": self.reason,
            "detail": self.detail,
            "channel": self.channel,
            "provider_id": self.provider_id,
            "consent_change_id": self.consent_change_id,
            "requested_at": self.requested_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "valid_until": None if self.valid_until is None else self.valid_until.isoformat(),
            "sent_at": None if self.sent_at is None else self.sent_at.isoformat(),
            "steps": [dict(step) for step in self.steps],
        }


def load_messages(connection: Connection, message_ids: Iterable[str]) -> dict[str, StoredMessage]:
    found: dict[str, StoredMessage] = {}
    for part in chunks(sorted(set(message_ids))):
        for row in connection.execute(select(messages).where(messages.c.message_id.in_(part))):
            found[row.message_id] = _message(row._mapping)
    return found


def customer_messages(connection: Connection, customer_id: str, limit: int = 100) -> list[StoredMessage]:
    query = (
        select(messages)
        .where(messages.c.customer_id == customer_id)
        .order_by(messages.c.requested_at.desc(), messages.c.message_id)
        .limit(limit)
    )
    return [_message(row._mapping) for row in connection.execute(query)]


def recent_messages(
    connection: Connection, customer_ids: Iterable[str], since: datetime
) -> dict[str, list[StoredMessage]]:
    """Each customer's messages sent since ``since``, for the frequency caps."""
    found: dict[str, list[StoredMessage]] = {}
    for part in chunks(sorted(set(customer_ids))):
        query = select(messages).where(
            messages.c.customer_id.in_(part), messages.c.sent_at.is_not(None), messages.c.sent_at >= since
        )
        for row in connection.execute(query):
            found.setdefault(row.customer_id, []).append(_message(row._mapping))
    return found


_CHANGEABLE = ("state", "reason", "detail", "channel", "provider_id", "consent_change_id", "steps", "sent_at")


def save_messages(connection: Connection, changes: Sequence[Mapping[str, Any]], now: datetime) -> None:
    """Each change names ``message_id`` and every one of the changeable columns."""
    if not changes:
        return
    statement = (
        update(messages)
        .where(messages.c.message_id == bindparam("m_id"))
        .values({name: bindparam(f"m_{name}") for name in (*_CHANGEABLE, "updated_at")})
    )
    rows = [
        {
            "m_id": change["message_id"],
            "m_updated_at": now,
            **{f"m_{name}": change[name] for name in _CHANGEABLE},
        }
        for change in changes
    ]
    connection.execute(statement, rows)


def changes_of(message: StoredMessage) -> dict[str, Any]:
    """The changeable columns of ``message`` as stored, to be edited and saved."""
    return {
        "message_id": message.message_id,
        "state": message.state.value,
        "reason": message.reason,
        "detail": message.detail,
        "channel": message.channel,
        "provider_id": message.provider_id,
        "consent_change_id": message.consent_change_id,
        "steps": [dict(step) for step in message.steps],
        "sent_at": message.sent_at,
    }


@dataclass(frozen=True, slots=True)
class Suppression:
    channel: str
    address: str
    reason: str  # hard_bounce, complaint, blocked, dead_token
    detail: str | None = None
    customer_id: str | None = None


def suppress(connection: Connection, entries: Sequence[Suppression], now: datetime) -> None:
    """Record addresses not to write to again; an address already suppressed keeps its first reason."""
    if not entries:
        return
    rows = [
        {
            "channel": entry.channel,
            "address": normal_address(entry.channel, entry.address),
            "reason": entry.reason,
            "detail": entry.detail,
            "customer_id": entry.customer_id,
            "created_at": now,
        }
        for entry in entries
    ]
    connection.execute(insert_ignoring_duplicates(connection, suppressions), rows)


def suppressed(connection: Connection, addresses: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(channel, address) → the reason, for the given ones that are suppressed."""
    wanted = sorted({(channel, normal_address(channel, address)) for channel, address in addresses})
    found: dict[tuple[str, str], str] = {}
    for part in chunks(wanted):
        query = select(suppressions.c.channel, suppressions.c.address, suppressions.c.reason).where(
            tuple_(suppressions.c.channel, suppressions.c.address).in_(part)
        )
        for row in connection.execute(query):
            found[(row.channel, row.address)] = row.reason
    return found


def normal_address(channel: str, address: str) -> str:
    """Email addresses compare without case; other channels' addresses are kept as they are."""
    return address.strip().lower() if channel == "email" else address.strip()


def _message(row: RowMapping) -> StoredMessage:
    return StoredMessage(
        message_id=row["message_id"],
        idempotency_key=row["idempotency_key"],
        customer_id=row["customer_id"],
        template=row["template"],
        kind=Kind(row["kind"]),
        priority=row["priority"],
        channels=tuple(row["channels"]),
        until_seen=row["until_seen"],
        incentive=row["incentive"],
        deliver_within_seconds=row["deliver_within_seconds"],
        seen_within_seconds=row["seen_within_seconds"],
        variables=row["variables"],
        requested_at=row["requested_at"],
        due_at=row["due_at"],
        valid_until=row["valid_until"],
        state=State(row["state"]),
        reason=row["reason"],
        detail=row["detail"],
        channel=row["channel"],
        provider_id=row["provider_id"],
        consent_change_id=row["consent_change_id"],
        steps=tuple(row["steps"]),
        sent_at=row["sent_at"],
        updated_at=row["updated_at"],
    )
