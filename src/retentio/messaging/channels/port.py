"""The one interface between messaging and a provider.

An adapter turns a rendered message into the provider's request and the provider's answer into a
``SendResult``; it never raises for an answer the provider gives (a 5xx, a 429, a refused number):
it classifies it. Retries, backoff and moving on to the next channel are the engine's, driven by
that classification; the adapter only keeps its provider's rate limit (``rate.RateLimit``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from retentio.messaging.content import Body, ChannelName, Kind


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one recipient on one channel.

    ``message_id`` is Retentio's id of the message, stable across retries (derived from the
    request's idempotency key): adapters pass it to providers that accept an idempotency key or a
    client id, and email builds its ``Message-ID`` from it, so a resend after a crash is recognisable.
    """

    message_id: str
    channel: ChannelName
    # An email address, an E.164 phone, a chat or user id; for push, the customer's id until
    # ``devices.DevicePush`` hands the adapter one device's token or subscription at a time.
    recipient: str
    body: Body
    kind: Kind
    unsubscribe_url: str | None = None  # signed one-click link (marketing and trigger email)
    sender: str | None = None  # a per-message envelope sender or alpha name, where the provider allows


class SendStatus(StrEnum):
    SENT = "sent"  # accepted by the provider
    RETRY = "retry"  # temporary: the same message may go out later (5xx, 429, a refused connection)
    FAILED = "failed"  # permanent for this message (a bad template for this channel, a refused text)
    UNREACHABLE = "unreachable"  # the contact is dead here: blocked bot, dead token, invalid number


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    provider_id: str | None = None  # the provider's id of the accepted message
    reason: str = ""  # the provider's own words (code and text) when not sent
    retry_after: float | None = None  # seconds, when the provider says (429 Retry-After, retry_after)

    @classmethod
    def sent(cls, provider_id: str) -> SendResult:
        return cls(SendStatus.SENT, provider_id=provider_id)

    @classmethod
    def retry(cls, reason: str, retry_after: float | None = None) -> SendResult:
        return cls(SendStatus.RETRY, reason=reason, retry_after=retry_after)

    @classmethod
    def failed(cls, reason: str) -> SendResult:
        return cls(SendStatus.FAILED, reason=reason)

    @classmethod
    def unreachable(cls, reason: str) -> SendResult:
        return cls(SendStatus.UNREACHABLE, reason=reason)


class ReportStatus(StrEnum):
    """What a provider later says happened to a message it accepted."""

    DELIVERED = "delivered"
    FAILED = "failed"  # not delivered (expired, rejected by the operator)
    BOUNCED = "bounced"  # a hard bounce: the address is dead
    COMPLAINED = "complained"  # marked as spam
    OPENED = "opened"
    CLICKED = "clicked"
    READ = "read"  # messengers' read receipts
    UNSUBSCRIBED = "unsubscribed"  # blocked the bot, removed the app


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    provider_id: str
    status: ReportStatus
    at: datetime | None = None
    reason: str = ""
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class Callback:
    """A provider's delivery callback as the API received it, before the adapter reads it."""

    body: bytes
    content_type: str
    query: Mapping[str, str]
    headers: Mapping[str, str]


class ChannelNotReady(Exception):
    """The channel cannot work with its settings (a wrong password, an unknown sender name): raised
    by ``check`` with a reason that names the setting, so ``retentio worker`` refuses to start."""


class Channel(Protocol):
    @property
    def name(self) -> ChannelName: ...

    async def check(self) -> None:
        """Prove the settings work (log in, ask for the balance, get the bot's name) or raise
        ``ChannelNotReady``."""
        ...

    async def send(self, outgoing: Outgoing) -> SendResult: ...

    async def close(self) -> None:
        """Release pooled connections."""
        ...


@runtime_checkable
class ReportsByCallback(Protocol):
    """An adapter whose provider calls back with delivery reports (served by the API)."""

    def read_callback(self, callback: Callback) -> list[DeliveryReport]:
        """Raise ``ValueError`` naming what is wrong when the callback is not the provider's."""
        ...


@dataclass(frozen=True, slots=True)
class Polled:
    """What one round of asking a provider learnt. A message in neither field has no news yet (queued,
    with the operator): it is asked about again later, as is one whose status could not be read."""

    reports: list[DeliveryReport] = field(default_factory=list)
    # provider id → why its status is unknown this time (the provider's error, an unreadable answer)
    unknown: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class ReportsByPolling(Protocol):
    """An adapter whose provider can be asked for the status of the messages it accepted; the
    worker asks (``messaging.reports_polling``) when ``poll_reports`` is on in its settings."""

    @property
    def poll_reports(self) -> bool: ...

    async def poll(self, provider_ids: Sequence[str]) -> Polled:
        """Never raises for what the provider answers: an error is ``Polled.unknown``."""
        ...
