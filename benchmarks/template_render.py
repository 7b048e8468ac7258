"""Benchmark: rendering messages from templates, guards included.

Prints one figure a line: messages a second rendered by ``render()`` (an abandoned-cart email in
Russian with five items, HTML with the text made from it, and an SMS), and, as the baseline measured
in the same run, the same sources rendered by a plain Jinja2 ``ImmutableSandboxedEnvironment`` with
the same Babel helpers and no guards, limits or text version; then the ratio.

    python benchmarks/template_render.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from babel.plural import PluralRule
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from retentio.messaging.content import ChannelName
from retentio.messaging.templates import (
    Cart,
    Coupon,
    Customer,
    Item,
    MessageContext,
    compile_template,
    render,
    template_from_dict,
)
from retentio.messaging.templates.context import variables

ITEMS = "{{ cart.quantity | plural('товар', 'товара', 'товаров') }}"
SUBJECT = "{{ customer.first_name }}, вы забыли {{ cart.quantity }} " + ITEMS
HTML = """<html><body><h1>Привет, {{ customer.first_name }}!</h1>
<table>{% for item in cart.items %}<tr><td><a href="{{ item.url }}">{{ item.name }}</a></td>
<td>{{ item.quantity }} × {{ item.price | money }}</td><td>{{ item.total | money }}</td></tr>
{% endfor %}</table>
<p>Итого: {{ cart.total | money }}</p>
{% if coupon %}<p>Промокод {{ coupon.code }} действует до {{ coupon.valid_until | date }}.</p>{% endif %}
<p><a href="{{ cart.url }}">Вернуться к корзине</a></p></body></html>"""
SMS = "{{ customer.first_name }}, в корзине {{ cart.quantity }} " + ITEMS + " на {{ cart.total | money }}"


URL = "https://shop.example/p/1"


def context(number: int) -> MessageContext:
    items = tuple(
        Item(
            f"Товар {i}",
            Decimal((number * 7 + i * 37) % 5000) + Decimal("0.5"),
            1 + (number + i) % 3,
            url=URL,
        )
        for i in range(5)
    )
    return MessageContext(
        Customer(f"c{number}", first_name="Анна", locale="ru"),
        datetime(2026, 6, 1, 12, tzinfo=UTC),
        cart=Cart(items, url="https://shop.example/cart"),
        coupon=Coupon("SPRING10", valid_until=datetime(2026, 6, 30, tzinfo=UTC)),
    )


def plain_environment() -> Callable[[MessageContext], None]:
    rule = PluralRule({"one": "n % 10 = 1 and n % 100 != 11", "few": "n % 10 = 2..4 and n % 100 != 12..14"})
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    environment.filters["money"] = lambda amount: format_currency(amount, "RUB", locale="ru")
    environment.filters["date"] = lambda value: format_date(value, "long", locale="ru")
    environment.filters["plural"] = lambda n, *forms: dict(
        zip(("one", "few", "many"), forms, strict=True)
    ).get(rule(n), forms[-1])
    text = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    text.filters = environment.filters
    subject, html, sms = text.from_string(SUBJECT), environment.from_string(HTML), text.from_string(SMS)

    def send(message: MessageContext) -> None:
        names: dict[str, Any] = variables(message)
        subject.render(names), html.render(names), sms.render(names)

    return send


def guarded() -> Callable[[MessageContext], None]:
    template = template_from_dict(
        {
            "name": "cart",
            "default_locale": "ru",
            "channels": {"email": {"ru": {"subject": SUBJECT, "html": HTML}}, "sms": {"ru": {"text": SMS}}},
        }
    )
    compiled = compile_template(template)

    def send(message: MessageContext) -> None:
        render(compiled, ChannelName.EMAIL, message)
        render(compiled, ChannelName.SMS, message)

    return send


def per_second(send: Callable[[MessageContext], None], messages: list[MessageContext]) -> float:
    started = time.perf_counter()
    for message in messages:
        send(message)
    return len(messages) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    count = parser.parse_args().messages
    messages = [context(number) for number in range(count)]
    plain, ours = plain_environment(), guarded()
    per_second(plain, messages[:200]), per_second(ours, messages[:200])  # warm caches (Babel's locale data)
    baseline = per_second(plain, messages)
    rendered = per_second(ours, messages)
    print(f"plain_sandbox_messages_per_second {baseline:.0f}")
    print(f"render_messages_per_second {rendered:.0f}")
    print(f"render_ratio_to_plain_sandbox {rendered / baseline:.2f}")


if __name__ == "__main__":
    main()
