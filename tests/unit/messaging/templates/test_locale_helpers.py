from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.messaging_templates import english, russian, sms_text

from retentio.messaging.templates import Customer, ErrorKind, TemplateError

NBSP = "\xa0"


def in_english(source: str) -> str:
    return sms_text(source, english(), locale="en")


def test_money_follows_the_locale() -> None:
    assert sms_text("{{ 1234.5 | money }}") == f"1{NBSP}234,50{NBSP}₽"
    assert in_english("{{ 1234.5 | money }}") == "RUB1,234.50"  # CLDR's English for roubles
    assert in_english("{{ 1234.5 | money('USD') }}") == "$1,234.50"
    assert sms_text("{{ money(cart.total) }}") == f"1{NBSP}334,50{NBSP}₽"


def test_money_can_drop_the_kopecks_rounding_half_even() -> None:
    assert sms_text("{{ 1234.5 | money(whole=true) }}") == f"1{NBSP}234{NBSP}₽"
    assert sms_text("{{ 1235.5 | money(whole=true) }}") == f"1{NBSP}236{NBSP}₽"
    assert in_english("{{ 99.99 | money(whole=true) }}") == "RUB100"


def test_money_and_numbers_take_decimal_strings_but_not_words() -> None:
    assert sms_text("{{ '250.5' | money }}") == f"250,50{NBSP}₽"
    with pytest.raises(TemplateError) as raised:
        sms_text("{{ 'дёшево' | money }}")
    assert (raised.value.kind, raised.value.reason) == (
        ErrorKind.VALUE,
        "ValueError: money() needs a number, not 'дёшево'",
    )


def test_numbers_use_the_locale_separators() -> None:
    assert sms_text("{{ 1234567.891 | number }}") == f"1{NBSP}234{NBSP}567,891"
    assert in_english("{{ 1234567.891 | number }}") == "1,234,567.891"
    assert sms_text("{{ 1234.5 | number(2) }}") == f"1{NBSP}234,50"
    assert in_english("{{ 7 | number(0) }}") == "7"


def test_dates_are_the_customers_day_in_their_timezone() -> None:
    # 21:30 UTC on 1 June is already 2 June in Moscow, still 1 June in New York
    assert sms_text("{{ now | date }}") == "2 июня 2026\u202fг."
    assert in_english("{{ now | date }}") == "June 1, 2026"
    assert sms_text("{{ now | date('d MMMM') }}") == "2 июня"
    assert in_english("{{ now | date('short') }}") == "6/1/26"


def test_datetimes_show_a_long_date_and_a_short_time_in_the_customers_timezone() -> None:
    assert sms_text("{{ now | datetime }}") == "2 июня 2026\u202fг., 00:30"
    assert in_english("{{ now | datetime }}") == "June 1, 2026, 5:30\u202fPM"
    vladivostok = russian(customer=Customer("c", locale="ru", timezone="Asia/Vladivostok"))
    assert sms_text("{{ now | datetime('HH:mm') }}", vladivostok) == "07:30"


def test_a_time_without_an_offset_is_taken_as_utc_and_a_plain_date_stays_that_day() -> None:
    context = russian(now=datetime(2026, 6, 1, 21, 30))
    assert sms_text("{{ now | datetime('d MMMM HH:mm') }}", context) == "2 июня 00:30"
    assert sms_text("{{ now | date }}", russian(now=date(2026, 1, 7))) == "7 января 2026\u202fг."


def test_a_date_helper_given_no_date_says_so() -> None:
    with pytest.raises(TemplateError) as raised:
        sms_text("{{ customer.first_name | date }}")
    assert raised.value.reason == "ValueError: date() needs a date or a time, not 'Анна'"


RUSSIAN_FORMS = "plural('товар', 'товара', 'товаров')"


@pytest.mark.parametrize(
    ("count", "word"),
    [(0, "товаров"), (1, "товар"), (2, "товара"), (4, "товара"), (5, "товаров"), (11, "товаров"),
     (12, "товаров"), (14, "товаров"), (21, "товар"), (22, "товара"), (101, "товар"), (111, "товаров")],
)  # fmt: skip
def test_russian_plurals_by_position_and_by_name(count: int, word: str) -> None:
    assert sms_text(f"{{{{ {count} | {RUSSIAN_FORMS} }}}}") == word
    named = "plural(one='товар', few='товара', many='товаров')"
    assert sms_text(f"{{{{ {count} | {named} }}}}") == word
    assert sms_text(f"{{{{ plural({count}, 'товар', 'товара', 'товаров') }}}}") == word


def russian_rule(count: int) -> str:
    """The schoolbook rule, written independently of CLDR."""
    if count % 10 == 1 and count % 100 != 11:
        return "товар"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "товара"
    return "товаров"


@given(st.integers(min_value=0, max_value=10**9))
def test_russian_plurals_follow_the_schoolbook_rule(count: int) -> None:
    assert sms_text(f"{{{{ {count} | {RUSSIAN_FORMS} }}}}") == russian_rule(count)


def test_a_russian_fraction_takes_the_few_form_unless_other_is_given() -> None:
    assert sms_text("{{ 1.5 | plural('балл', 'балла', 'баллов') }}") == "балла"
    assert sms_text("{{ 1.5 | plural('балл', 'балла', 'баллов', 'балла (дробь)') }}") == "балла (дробь)"


def test_english_plurals_have_one_and_other() -> None:
    assert in_english("{{ 1 | plural('item', 'items') }}") == "item"
    assert in_english("{{ 0 | plural('item', 'items') }}") == "items"
    assert in_english("{{ 21 | plural(one='item', other='items') }}") == "items"


def test_plural_mistakes_are_clear() -> None:
    with pytest.raises(TemplateError) as too_many:
        in_english("{{ 2 | plural('item', 'items', 'itemses') }}")
    assert too_many.value.reason == "ValueError: plural() in en takes at most 2 forms: one, other"
    with pytest.raises(TemplateError) as missing:
        sms_text("{{ 5 | plural(one='товар', few='товара') }}")
    assert missing.value.reason == "ValueError: plural() in ru needs the 'many' form for 5"
    with pytest.raises(TemplateError) as unknown:
        sms_text("{{ 5 | plural(lots='товаров') }}")
    assert unknown.value.reason.startswith("ValueError: plural() has no form 'lots'")


def test_helpers_speak_the_bodys_language_not_the_customers_wish() -> None:
    # a German customer gets the default Russian body, and its money in Russian
    german = russian(customer=Customer("c", locale="de", timezone="Europe/Berlin"))
    assert sms_text("{{ 5 | money }} {{ 5 | plural('рубль', 'рубля', 'рублей') }}", german) == (
        f"5,00{NBSP}₽ рублей"
    )
