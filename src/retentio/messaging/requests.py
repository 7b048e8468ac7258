"""Asking for a message: ``request_messages`` stores each request once (a repeated idempotency key
is the same message) and puts its send on the due-work queue, both in the caller's transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from retentio.clock import accepted_instant
from retentio.db.batches import chunks, insert_ignoring_duplicates
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.status import State
from retentio.messaging.tables import messages
from retentio.schedule import NewWork, enqueue

SEND = "messages.send"  # the due-work kind that decides and sends a message
AUTO = "auto"  # the channel strategy that orders channels per customer
KEY_LENGTH = 255
MAX_PRIORITY = 100
# How long a message may wait for its slot (quiet hours, caps) unless the request says: a receipt
# is useless after a day, an offer after three.
DEFAULT_VALIDITY = {
    Kind.TRANSACTIONAL: timedelta(days=1),
    Kind.TRIGGER: timedelta(days=1),
    Kind.MARKETING: timedelta(days=3),
}


@dataclass(frozen=True, slots=True)
class MessageRequest:
    customer_id: str
    template: str
    kind: Kind
    idempotency_key: str
    priority: int = 0
    channels: tuple[str, ...] = (AUTO,)
    until_seen: bool = False
    # It carries a reward (a coupon, points, a personal discount): never for a customer the
    # bad-customer checklist flags.
    incentive: bool = False
    deliver_within: timedelta = timedelta(hours=1)
    seen_within: timedelta = timedelta(hours=24)
    variables: Mapping[str, Any] = field(default_factory=dict)
    due_at: datetime | None = None  # None: now
    valid_until: datetime | None = None  # None: DEFAULT_VALIDITY after the due time

    def __post_init__(self) -> None:
        for name in ("due_at", "valid_until"):
            at = getattr(self, name)
            if at is not None:
                try:
                    object.__setattr__(self, name, accepted_instant(at))
                except ValueError as error:
                    raise ValueError(f"{name}: {error}") from None
        problem = _problem(self)
        if problem is not None:
            raise ValueError(problem)


@dataclass(frozen=True, slots=True)
class Requested:
    message_id: str
    idempotency_key: str
    created: bool  # False: the key was asked for before; this is that message


def message_id_for(idempotency_key: str) -> str:
    """Stable across retries and short enough for any provider's client id field."""
    return "m" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]


def request_messages(
    connection: Connection, requests: Sequence[MessageRequest], now: datetime
) -> list[Requested]:
    """Store the requests not seen before and enqueue their sends; the answer follows the input order."""
    rows = {message_id_for(request.idempotency_key): _row(request, now) for request in requests}
    known = _existing(connection, list(rows))
    new_rows = [row for message_id, row in rows.items() if message_id not in known]
    if new_rows:
        connection.execute(insert_ignoring_duplicates(connection, messages), new_rows)
        work = [NewWork(SEND, row["message_id"], row["due_at"]) for row in new_rows]
        enqueue(connection, work, now)
    return [
        Requested(
            message_id_for(r.idempotency_key),
            r.idempotency_key,
            message_id_for(r.idempotency_key) not in known,
        )
        for r in requests
    ]


def _existing(connection: Connection, message_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(message_ids):
        query = select(messages.c.message_id).where(messages.c.message_id.in_(part))
        found.update(connection.execute(query).scalars())
    return found


def _row(request: MessageRequest, now: datetime) -> dict[str, Any]:
    due_at = request.due_at or now
    valid_until = request.valid_until or due_at + DEFAULT_VALIDITY[request.kind]
    return {
        "message_id": message_id_for(request.idempotency_key),
        "idempotency_key": request.idempotency_key,
        "customer_id": request.customer_id,
        "template": request.template,
        "kind": request.kind.value,
        "priority": request.priority,
        "channels": list(request.channels),
        "until_seen": request.until_seen,
        "incentive": request.incentive,
        "deliver_within_seconds": int(request.deliver_within.total_seconds()),
        "seen_within_seconds": int(request.seen_within.total_seconds()),
        "variables": dict(request.variables),
        "requested_at": now,
        "due_at": due_at,
        "valid_until": valid_until,
        "state": State.WAITING.value,
        "steps": [],
        "updated_at": now,
    }


def _problem(request: MessageRequest) -> str | None:
    if not request.idempotency_key or len(request.idempotency_key) > KEY_LENGTH:
        return f"idempotency_key must have 1 to {KEY_LENGTH} characters"
    if not request.customer_id:
        return "customer_id is empty"
    if not request.template:
        return "template is empty"
    if not 0 <= request.priority <= MAX_PRIORITY:
        return f"priority must be 0 to {MAX_PRIORITY}, not {request.priority}"
    if not request.channels:
        return "channels is empty: name channels in order, or 'auto'"
    known = {channel.value for channel in ChannelName}
    if request.channels != (AUTO,):
        unknown = [channel for channel in request.channels if channel not in known]
        if unknown:
            return f"unknown channel {unknown[0]!r}: one of {', '.join(sorted(known))}, or 'auto' alone"
        if len(set(request.channels)) != len(request.channels):
            return "a channel is named twice in channels"
    if request.deliver_within <= timedelta(0) or request.seen_within <= timedelta(0):
        return "deliver_within and seen_within must be positive"
    due_at, valid_until = request.due_at, request.valid_until
    if due_at is not None and valid_until is not None and valid_until <= due_at:
        return "valid_until must be after due_at"
    return None
