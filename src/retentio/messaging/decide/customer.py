"""What the decisions know about the customer: where they can be reached, what they agreed to (and
which kinds they stopped), what stopped working, where and when they are active, and the messages
they already got."""

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


_NEED_NO_ADDRESS = frozenset({ChannelName.ONSITE, ChannelName.OUTBOX})


@dataclass(frozen=True, slots=True)
class Contacts:
    email: str | None = None
    phone: str | None = None
    telegram_id: str | None = None
    viber_id: str | None = None
    push_tokens: tuple[str, ...] = ()
    web_push_subscriptions: tuple[str, ...] = ()
    # The channels there is somewhere to send on, worked out once: decisions ask for every step.
    reachable: frozenset[ChannelName] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        addresses = {
            ChannelName.EMAIL: self.email,
            ChannelName.SMS: self.phone,
            ChannelName.TELEGRAM: self.telegram_id,
            ChannelName.VIBER: self.viber_id,
            ChannelName.PUSH: self.push_tokens,
            ChannelName.WEB_PUSH: self.web_push_subscriptions,
        }
        reachable = _NEED_NO_ADDRESS | {channel for channel, address in addresses.items() if address}
        object.__setattr__(self, "reachable", reachable)

    def reach(self, channel: ChannelName) -> bool:
        """Whether there is somewhere to send on this channel. The on-site inbox and the outbox need
        no address: the customer's id is enough."""
        return channel in self.reachable


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as the decisions see them.

    ``timezone``: an IANA name, None for the shop's default. ``channel_activity`` and
    ``hour_histogram`` are the profile's own: the latest ISO time of activity per place ("email",
    "telegram", "app" for the mobile app, "web" for the site…) and 24 counts of events by their UTC
    hour. ``flagged_bad``: the bad-customer score flags them (no incentives). ``opted_out``: the
    (channel, kind) pairs the customer stopped on the preference page while keeping the channel's
    consent (marketing or trigger; transactional messages cannot be stopped)."""

    id: str
    contacts: Contacts = Contacts()
    consents: Mapping[ChannelName, Consent] = field(default_factory=_empty)
    suppressions: Mapping[ChannelName, Suppression] = field(default_factory=_empty)
    timezone: str | None = None
    locale: str | None = None
    channel_activity: Mapping[str, str] = field(default_factory=_empty)
    hour_histogram: tuple[int, ...] = field(default=(0,) * 24)
    flagged_bad: bool = False
    opted_out: frozenset[tuple[ChannelName, Kind]] = frozenset()


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
