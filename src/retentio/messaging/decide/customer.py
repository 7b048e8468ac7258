"""What the decisions know about the customer: where they can be reached, what they agreed to, what
stopped working, where and when they are active, and the messages they already got."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from retentio.messaging.content import ChannelName, Kind


class ConsentState(StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"  # never asked: for trigger and marketing messages that is no consent


@dataclass(frozen=True, slots=True)
class Consent:
    """The consent in force on one channel and the record it comes from (38-FZ art. 18: a sent
    message keeps the record it relied on)."""

    state: ConsentState
    record_id: int | None = None


NO_CONSENT = Consent(ConsentState.UNKNOWN)


class Suppression(StrEnum):
    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    BLOCKED = "blocked"  # the customer blocked the Telegram or Viber bot
    DEAD_TOKEN = "dead_token"  # every push token or subscription is gone


@dataclass(frozen=True, slots=True)
class Contacts:
    email: str | None = None
    phone: str | None = None
    telegram_id: str | None = None
    viber_id: str | None = None
    push_tokens: tuple[str, ...] = ()
    web_push_subscriptions: tuple[str, ...] = ()

    def reach(self, channel: ChannelName) -> bool:
        """Whether there is somewhere to send on this channel. The on-site inbox and the outbox need
        no address: the customer's id is enough."""
        if channel is ChannelName.EMAIL:
            return bool(self.email)
        if channel is ChannelName.SMS:
            return bool(self.phone)
        if channel is ChannelName.TELEGRAM:
            return bool(self.telegram_id)
        if channel is ChannelName.VIBER:
            return bool(self.viber_id)
        if channel is ChannelName.PUSH:
            return bool(self.push_tokens)
        if channel is ChannelName.WEB_PUSH:
            return bool(self.web_push_subscriptions)
        return True


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as the decisions see them.

    ``timezone``: an IANA name, None for the shop's default. ``channel_activity`` and
    ``hour_histogram`` are the profile's own: the latest ISO time of activity per place ("email",
    "telegram", "app" for the mobile app, "web" for the site…) and 24 counts of events by their UTC
    hour. ``flagged_bad``: the bad-customer score flags them (no incentives)."""

    id: str
    contacts: Contacts = Contacts()
    consents: Mapping[ChannelName, Consent] = field(default_factory=_empty)
    suppressions: Mapping[ChannelName, Suppression] = field(default_factory=_empty)
    timezone: str | None = None
    locale: str | None = None
    channel_activity: Mapping[str, str] = field(default_factory=_empty)
    hour_histogram: tuple[int, ...] = field(default=(0,) * 24)
    flagged_bad: bool = False


@dataclass(frozen=True, slots=True)
class Sent:
    """A message that went out to this customer, for the caps. ``message_id`` is the message (and
    cascade) it belongs to: the steps of one cascade share it and count once."""

    at: datetime
    channel: ChannelName
    kind: Kind
    message_id: str

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError(f"sent at {self.at.isoformat()}: no UTC offset")
        object.__setattr__(self, "at", self.at.astimezone(UTC))  # the decisions count in UTC
