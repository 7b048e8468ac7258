"""What a message says once rendered, per kind of channel, and the words the rest of messaging shares."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """COM-4: a transactional message is owed to the customer (an order's receipt) and follows its own
    consent rule; triggers and marketing are optional and need the channel's consent in force."""

    TRANSACTIONAL = "transactional"
    TRIGGER = "trigger"
    MARKETING = "marketing"


class ChannelName(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    TELEGRAM = "telegram"
    VIBER = "viber"
    PUSH = "push"  # mobile apps: FCM HTTP v1 or RuStore
    WEB_PUSH = "web_push"
    ONSITE = "onsite"  # the per-customer inbox the shop's site reads
    OUTBOX = "outbox"  # a file of what would be sent, for trying things out


@dataclass(frozen=True, slots=True)
class EmailBody:
    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True, slots=True)
class TextBody:
    """SMS, Telegram, Viber: plain text (messengers may add one button linking to ``url``)."""

    text: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PushBody:
    """Mobile and web push, and on-site messages (a banner's title, text, link and image)."""

    title: str
    body: str
    url: str | None = None
    image_url: str | None = None


Body = EmailBody | TextBody | PushBody
