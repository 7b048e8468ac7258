from __future__ import annotations

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from retentio.messaging.templates.money_format import format_money

LOCALES = [Locale.parse(name) for name in ("ru", "en", "en_GB", "de", "fr", "kk", "en_IN")]
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False)


@given(amounts, st.sampled_from(["RUB", "USD", "EUR", "JPY", "KZT", "KWD"]), st.sampled_from(LOCALES))
def test_money_is_what_babel_says(amount: Decimal, currency: str, locale: Locale) -> None:
    assert format_money(amount, currency, locale) == format_currency(amount, currency, locale=locale)


@given(amounts, st.sampled_from(["RUB", "USD"]), st.sampled_from(LOCALES))
def test_whole_money_is_babels_pattern_without_decimals(
    amount: Decimal, currency: str, locale: Locale
) -> None:
    pattern = str(locale.currency_formats["standard"].pattern).replace(".00", "")
    expected = format_currency(
        amount.quantize(Decimal(1)), currency, format=pattern, locale=locale, currency_digits=False
    )
    assert format_money(amount, currency, locale, whole=True) == expected


def test_known_amounts() -> None:
    ru, en = Locale.parse("ru"), Locale.parse("en")
    assert format_money(Decimal("1234.5"), "RUB", ru) == "1\xa0234,50\xa0₽"
    assert format_money(Decimal("-0.004"), "RUB", ru) == "-0,00\xa0₽"  # as Babel: the sign of what was given
    assert format_money(1234, "USD", en) == "$1,234.00"
    assert format_money(Decimal("2.5"), "RUB", ru, whole=True) == "2\xa0₽"  # half to even
    assert format_money(Decimal("1234567.5"), "INR", Locale.parse("en_IN")) == "₹12,34,567.50"  # Babel's path
