from __future__ import annotations

from typing import Any

import pytest

from retentio.messaging.content import ChannelName
from retentio.messaging.templates import (
    ErrorKind,
    TemplateError,
    TemplateInvalid,
    template_from_dict,
    template_from_json,
    template_to_dict,
    template_to_json,
)

FULL: dict[str, Any] = {
    "name": "abandoned_cart",
    "default_locale": "ru",
    "channels": {
        "email": {
            "ru": {"subject": "Корзина ждёт", "html": "<p>Привет</p>", "text": "Привет"},
            "en": {"subject": "Your cart", "text": "Hi"},
        },
        "sms": {"ru": {"text": "Корзина ждёт"}},
        "telegram": {"ru": {"text": "Корзина", "url": "https://shop.example/cart"}},
        "push": {"en": {"title": "Cart", "body": "Waiting", "image_url": "https://shop.example/i.png"}},
        "onsite": {"ru": {"title": "Корзина", "body": "Ждёт"}},
    },
}


def problems_of(data: Any) -> list[str]:
    with pytest.raises(TemplateInvalid) as raised:
        template_from_dict(data)
    return [str(problem) for problem in raised.value.problems]


def test_a_template_goes_to_a_dict_and_json_and_back_unchanged() -> None:
    template = template_from_dict(FULL)
    assert template_to_dict(template) == FULL
    assert template_from_json(template_to_json(template)) == template
    assert "Корзина" in template_to_json(template)  # readable, not \u-escaped


def test_a_template_is_frozen_all_the_way_down() -> None:
    template = template_from_dict(FULL)
    with pytest.raises(TypeError):
        template.channels[ChannelName.SMS]["ru"]["text"] = "changed"  # type: ignore[index]


def test_an_unknown_channel_is_named_with_the_known_ones() -> None:
    data = {
        **FULL,
        "channels": {"emial": {"ru": {"subject": "s", "text": "t"}}, "outbox": {"ru": {"text": "t"}}},
    }
    known = "the channels are email, sms, telegram, viber, push, web_push, onsite"
    assert problems_of(data) == [
        f"channels.emial: unknown channel 'emial'; {known}",
        f"channels.outbox: unknown channel 'outbox'; {known}",
    ]


def test_an_email_without_a_subject_or_any_body_is_refused() -> None:
    data = {**FULL, "channels": {"email": {"ru": {"subject": "  ", "html": ""}}}}
    assert problems_of(data) == [
        "channels.email.ru.subject: email needs a subject",
        "channels.email.ru: email needs an html or a text part (or both)",
    ]


def test_unknown_parts_missing_parts_locales_and_fields_are_all_reported_at_once() -> None:
    data = {
        "name": "",
        "default_locale": "xx",
        "version": 2,
        "channels": {
            "sms": {"ru": {"text": "x", "url": "https://shop.example"}, "klingon": {"text": "x"}},
            "push": {"en": {"body": 5}},
        },
    }
    assert problems_of(data) == [
        "version: unknown field 'version'; a template has name, default_locale, channels",
        "name: give the template a name (1 to 200 characters)",
        "default_locale: unknown locale 'xx' (e.g. ru, en)",
        "channels.sms.ru.url: sms has no part 'url'; it has text",
        "channels.sms.klingon: unknown locale 'klingon' (e.g. ru, en)",
        "channels.push.en.body: a part is template text (a string)",
        "channels.push.en.title: push needs a title",
        "channels.push.en.body: push needs a body",
    ]


def test_invalid_is_a_template_error_saying_what_and_where() -> None:
    with pytest.raises(TemplateError) as raised:
        template_from_dict({**FULL, "channels": {}})
    assert raised.value.kind is ErrorKind.INVALID
    assert str(raised.value) == (
        "template 'abandoned_cart': is invalid:\n"
        '- channels: give at least one channel\'s body: {"email": {"ru": {...}}}'
    )


def test_bad_json_says_where() -> None:
    with pytest.raises(TemplateInvalid) as raised:
        template_from_json('{"name": "x",\n "channels": }')
    assert raised.value.problems[0].line == 2


def test_locales_are_read_in_babels_spelling() -> None:
    template = template_from_dict(
        {**FULL, "default_locale": "en-gb", "channels": {"sms": {"EN-gb": {"text": "x"}}}}
    )
    assert template.default_locale == "en_GB"
    assert list(template.channels[ChannelName.SMS]) == ["en_GB"]


@pytest.mark.parametrize(
    ("wanted", "available", "default", "chosen"),
    [
        ("en", ["ru", "en"], "ru", "en"),  # the customer's
        ("en-US", ["ru", "en"], "ru", "en"),  # by language
        ("en_GB", ["en", "en_GB"], "ru", "en_GB"),  # the exact one first
        ("de", ["ru", "en"], "en", "en"),  # the template's default
        (None, ["ru", "en"], "en", "en"),
        ("de", ["en"], "ru", "en"),  # the first there is
    ],
)
def test_the_body_is_the_customers_locale_then_the_default_then_the_first(
    wanted: str | None, available: list[str], default: str, chosen: str
) -> None:
    template = template_from_dict(
        {
            "name": "t",
            "default_locale": default,
            "channels": {"sms": {code: {"text": code} for code in available}},
        }
    )
    assert template.locale_for(ChannelName.SMS, wanted) == chosen
    assert template.locale_for(ChannelName.EMAIL, wanted) is None
