from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tests.messaging_templates import english, one_part, russian, sms_text

from retentio.messaging.content import ChannelName, EmailBody, PushBody, TextBody
from retentio.messaging.templates import (
    Coupon,
    Customer,
    ErrorKind,
    Loyalty,
    SmsEncoding,
    TemplateError,
    compile_template,
    preview,
    render,
    template_from_dict,
)

NBSP = "\xa0"

CART = template_from_dict(
    {
        "name": "abandoned_cart",
        "default_locale": "ru",
        "channels": {
            "email": {
                "ru": {
                    "subject": "{{ customer.first_name }}, вы забыли {{ cart.quantity }} "
                    "{{ cart.quantity | plural('товар', 'товара', 'товаров') }}",
                    "html": (
                        "<html><body><h1>Привет, {{ customer.first_name }}!</h1>\n"
                        "<ul>{% for item in cart.items %}<li>{{ item.name }} × {{ item.quantity }}: "
                        "{{ item.total | money }}</li>{% endfor %}</ul>\n"
                        "<p>Итого {{ cart.total | money }}.</p>\n"
                        "{% if coupon %}<p>Код {{ coupon.code }} до {{ coupon.valid_until | date }}</p>"
                        "{% endif %}\n"
                        "</body></html>"
                    ),
                },
                "en": {
                    "subject": "{{ customer.first_name }}, you left {{ cart.quantity }} "
                    "{{ cart.quantity | plural('item', 'items') }} behind",
                    "text": "Total {{ cart.total | money }}."
                    "{% if coupon %} Code {{ coupon.code }}.{% endif %}",
                },
            },
            "sms": {
                "ru": {"text": "{{ customer.first_name }}, корзина на {{ cart.total | money }} ждёт вас"},
                "en": {"text": "{{ customer.first_name }}, your cart ({{ cart.total | money }}) is waiting"},
            },
            "telegram": {"ru": {"text": "Корзина ждёт", "url": "{{ cart.url }}"}},
            "push": {
                "ru": {"title": "{{ customer.first_name }},\nкорзина", "body": "{{ cart.quantity }} шт."}
            },
        },
    }
)
COMPILED = compile_template(CART)


def test_a_russian_email_in_full() -> None:
    # given
    coupon = Coupon("SPRING10", valid_until=datetime(2026, 6, 30, 21, 0, tzinfo=UTC))
    # when
    rendered = render(COMPILED, ChannelName.EMAIL, russian(coupon=coupon))
    # then
    assert rendered.locale == "ru"
    assert rendered.body == EmailBody(
        subject="Анна, вы забыли 3 товара",
        html=(
            "<html><body><h1>Привет, Анна!</h1>\n"
            f"<ul><li>Чай × 2: 1{NBSP}234,50{NBSP}₽</li><li>Кофе × 1: 100,00{NBSP}₽</li></ul>\n"
            f"<p>Итого 1{NBSP}334,50{NBSP}₽.</p>\n"
            "<p>Код SPRING10 до 1 июля 2026\u202fг.</p></body></html>"  # trim_blocks eats the newline
        ),
        text=(
            f"Привет, Анна!\n\n- Чай × 2: 1{NBSP}234,50{NBSP}₽\n\n- Кофе × 1: 100,00{NBSP}₽\n\n"
            f"Итого 1{NBSP}334,50{NBSP}₽.\n\nКод SPRING10 до 1 июля 2026\u202fг."
        ),
    )


def test_an_english_email_without_a_coupon() -> None:
    rendered = render(COMPILED, ChannelName.EMAIL, english(cart=russian().cart))
    assert rendered.locale == "en"
    assert rendered.body == EmailBody(
        subject="Ann, you left 3 items behind", text="Total RUB1,334.50.", html=None
    )


def test_html_parts_are_escaped_and_text_parts_are_not() -> None:
    tricky = russian(customer=Customer("c", first_name="<b>Анна & Co</b>", locale="ru"))
    body = render(COMPILED, ChannelName.EMAIL, tricky).body
    assert isinstance(body, EmailBody)
    assert "<h1>Привет, &lt;b&gt;Анна &amp; Co&lt;/b&gt;!</h1>" in (body.html or "")
    assert body.subject == "<b>Анна & Co</b>, вы забыли 3 товара"
    sms = render(COMPILED, ChannelName.SMS, tricky).body
    assert sms == TextBody(f"<b>Анна & Co</b>, корзина на 1{NBSP}334,50{NBSP}₽ ждёт вас")


def test_subjects_and_titles_are_one_line() -> None:
    assert render(COMPILED, ChannelName.PUSH, russian()).body == PushBody(title="Анна, корзина", body="3 шт.")
    evil = russian(customer=Customer("c", first_name="Анна\r\nBcc: all@example.com", locale="ru"))
    body = render(COMPILED, ChannelName.EMAIL, evil).body
    assert isinstance(body, EmailBody)
    assert body.subject == "Анна Bcc: all@example.com, вы забыли 3 товара"


def test_a_missing_variable_fails_the_message_naming_it_and_its_line() -> None:
    template = one_part("Привет!\n{{ customer.attributes.city }}")
    with pytest.raises(TemplateError) as raised:
        preview(template, russian(), ChannelName.SMS)
    error = raised.value
    assert (error.kind, error.part, error.line) == (ErrorKind.UNDEFINED, "text", 2)
    assert str(error) == "template 't' sms.ru.text line 2: 'dict object' has no attribute 'city'"


def test_an_absent_optional_part_is_none_so_if_works_and_using_it_is_a_clear_error() -> None:
    assert sms_text("{% if coupon %}код {{ coupon.code }}{% else %}без кода{% endif %}") == "без кода"
    assert (
        sms_text("{% if loyalty %}{{ loyalty.points }}{% endif %}", russian(loyalty=Loyalty(Decimal(120))))
        == "120"
    )
    with pytest.raises(TemplateError) as raised:
        sms_text("Ваш код:\n{{ coupon.code }}")
    assert raised.value.line == 2
    assert raised.value.reason == (
        "'None' has no attribute 'code' (a part this message does not have: put it inside {% if … %})"
    )


def test_none_prints_as_nothing_not_as_none() -> None:
    nameless = russian(customer=Customer("c", locale="ru"))
    assert sms_text("Привет{{ ', ' ~ customer.first_name if customer.first_name }}!", nameless) == "Привет!"
    assert sms_text("[{{ customer.first_name }}]", nameless) == "[]"


def test_a_template_without_the_channel_says_so() -> None:
    with pytest.raises(TemplateError) as raised:
        render(COMPILED, ChannelName.VIBER, russian())
    assert (raised.value.kind, str(raised.value)) == (
        ErrorKind.NO_BODY,
        "template 'abandoned_cart' viber: the template has no viber body",
    )


def test_a_button_link_must_be_a_web_address() -> None:
    cart = russian().cart
    assert cart is not None
    good = render(
        COMPILED, ChannelName.TELEGRAM, russian(cart=replace(cart, url="https://shop.example/cart"))
    )
    assert good.body == TextBody("Корзина ждёт", url="https://shop.example/cart")
    assert render(COMPILED, ChannelName.TELEGRAM, russian()).body == TextBody("Корзина ждёт", url=None)
    with pytest.raises(TemplateError) as raised:
        render(COMPILED, ChannelName.TELEGRAM, russian(cart=replace(cart, url="javascript:alert(1)")))
    assert (raised.value.part, raised.value.reason) == (
        "url",
        "url must be an http(s) address, not 'javascript:alert(1)'",
    )


def test_an_unknown_timezone_fails_the_message() -> None:
    lost = russian(customer=Customer("c", locale="ru", timezone="Mars/Olympus"))
    with pytest.raises(TemplateError) as raised:
        render(COMPILED, ChannelName.SMS, lost)
    assert raised.value.reason == "unknown timezone 'Mars/Olympus'"


def test_a_preview_of_an_sms_counts_its_parts() -> None:
    russian_sms = preview(CART, russian(), ChannelName.SMS)
    assert russian_sms.sms is not None
    assert (russian_sms.sms.encoding, russian_sms.sms.segments) == (SmsEncoding.UCS2, 1)
    english_sms = preview(COMPILED, english(cart=russian().cart), ChannelName.SMS)
    assert english_sms.body == TextBody("Ann, your cart (RUB1,334.50) is waiting")
    assert english_sms.sms is not None
    assert (english_sms.sms.encoding, english_sms.sms.units) == (SmsEncoding.GSM7, 39)
    assert preview(COMPILED, russian(), ChannelName.EMAIL).sms is None


def test_a_preview_of_a_broken_template_is_a_template_error() -> None:
    with pytest.raises(TemplateError) as raised:
        preview(one_part("{{ oops"), russian(), ChannelName.SMS)
    assert raised.value.kind is ErrorKind.INVALID
