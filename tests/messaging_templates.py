"""Messages' data and one-part templates for the template tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from retentio.messaging.content import ChannelName, TextBody
from retentio.messaging.templates import (
    Cart,
    Customer,
    Item,
    Limits,
    MessageContext,
    Template,
    preview,
    template_from_dict,
)

NOW = datetime(2026, 6, 1, 21, 30, tzinfo=UTC)  # 2 June, 00:30 in Moscow


def russian(**changes: Any) -> MessageContext:
    customer = Customer("c1", first_name="Анна", last_name="Иванова", locale="ru", timezone="Europe/Moscow")
    cart = Cart((Item("Чай", Decimal("617.25"), 2, sku="TEA"), Item("Кофе", Decimal("100"), 1)))
    return replace(MessageContext(customer, NOW, cart=cart), **changes)


def english(**changes: Any) -> MessageContext:
    customer = Customer("c2", first_name="Ann", locale="en", timezone="America/New_York")
    return replace(MessageContext(customer, NOW), **changes)


def one_part(source: str, channel: str = "sms", part: str = "text", locale: str = "ru") -> Template:
    parts = {"email": {"subject": "s", "text": "t"}, "push": {"title": "t", "body": "b"}}.get(channel, {})
    parts = {**parts, part: source}
    return template_from_dict({"name": "t", "default_locale": locale, "channels": {channel: {locale: parts}}})


def sms_text(
    source: str, context: MessageContext | None = None, limits: Limits | None = None, locale: str = "ru"
) -> str:
    """What an SMS template (its body in ``locale``) says to a Russian customer, or to ``context``."""
    body = preview(
        one_part(source, locale=locale), context or russian(), ChannelName.SMS, limits or Limits()
    ).body
    assert isinstance(body, TextBody)
    return body.text
