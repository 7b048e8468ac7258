"""Babel's money, numbers, dates and plural forms, in the locale of the body being rendered and the
customer's timezone: ``{{ cart.total | money }}`` is "1 234,50 ₽" in Russian and "RUB1,234.50" in
English; ``{{ n }} {{ n | plural("товар", "товара", "товаров") }}`` says "21 товар", "3 товара",
"11 товаров".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from babel.numbers import format_decimal
from jinja2 import Undefined

from retentio.messaging.templates.budget import current
from retentio.messaging.templates.money_format import format_money

# CLDR's plural categories in its own order: positional forms fill the locale's categories in this
# order (Russian: one, few, many, other; English: one, other)
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
# Russian fractions ("1,5 товара") take the form of "few"; a template rarely writes "other"
_OTHER_FALLBACK = ("few", "many")


def _number(value: object, helper: str) -> Decimal | int:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise ValueError(f"{helper}() needs a number, not {value!r}")


def money(amount: object, currency: str | None = None, whole: bool = False) -> str:
    """An amount in the shop's currency (or ``currency``); ``whole=True`` drops the kopecks."""
    state = current()
    return format_money(_number(amount, "money"), (currency or state.currency).upper(), state.locale, whole)


def number(value: object, digits: int | None = None) -> str:
    """A number with the locale's separators ("1 234,5"); ``digits`` fixes the decimals."""
    state = current()
    figure = _number(value, "number")
    if digits is None:
        return format_decimal(figure, locale=state.locale)
    if not 0 <= digits <= 10:
        raise ValueError("number() shows 0 to 10 digits after the point")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(figure, format=pattern, locale=state.locale)


def _moment(value: object, helper: str) -> dt.date:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # stored times are UTC
        return aware.astimezone(current().timezone)
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"{helper}() needs a date or a time, not {value!r}")


def date(value: object, format: str = "long") -> str:
    """A day in the customer's timezone: "2 июня 2026 г." / "June 2, 2026"; ``format`` is short,
    medium, long, full or a CLDR pattern ("d MMMM")."""
    moment = _moment(value, "date")
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return format_date(day, format=format, locale=current().locale)


def datetime(value: object, format: str | None = None) -> str:
    """A time in the customer's timezone: "2 июня 2026 г., 00:30" / "June 2, 2026, 12:30 AM" (a long
    date and a short time), or Babel's ``format`` (short, medium, long, full or a CLDR pattern)."""
    moment = _moment(value, "datetime")
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=current().timezone)
    locale = current().locale
    if format is not None:
        return format_datetime(moment, format=format, locale=locale)
    shown = str(get_datetime_format("long", locale=locale)).replace("'", "")
    time = format_time(moment, "short", locale=locale)
    return shown.replace("{0}", time).replace("{1}", format_date(moment, "long", locale=locale))


@lru_cache(maxsize=4096)
def _category(locale: Locale, count: str) -> str:
    """Babel's rule for a count as written ("1" is one, "1.0" other in Russian); cached, as counts
    repeat and each evaluation costs some microseconds."""
    return str(locale.plural_form(Decimal(count)))


def plural(count: object, *forms: str, **named: str) -> str:
    """The word form for ``count`` by the locale's plural rules. Forms go in CLDR's order of the
    locale's categories (ru: one, few, many[, other]; en: one, other) or by name
    (``one="товар", few="товара", many="товаров"``)."""
    locale = current().locale
    categories = [name for name in PLURAL_CATEGORIES if name in locale.plural_form.tags or name == "other"]
    if len(forms) > len(categories):
        raise ValueError(
            f"plural() in {locale} takes at most {len(categories)} forms: {', '.join(categories)}"
        )
    unknown = sorted(set(named) - set(PLURAL_CATEGORIES))
    if unknown:
        raise ValueError(f"plural() has no form {unknown[0]!r}; the forms are {', '.join(PLURAL_CATEGORIES)}")
    chosen = dict(zip(categories, forms, strict=False)) | named
    category = _category(locale, str(_number(count, "plural")))
    for candidate in (category, *(_OTHER_FALLBACK if category == "other" else ())):
        if candidate in chosen:
            return chosen[candidate]
    raise ValueError(f"plural() in {locale} needs the {category!r} form for {count}")


HELPERS = {"money": money, "number": number, "date": date, "datetime": datetime, "plural": plural}
