"""Money as integer minor units (kopecks, cents) in the store, ``Decimal`` at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel.numbers import get_currency_precision, list_currencies


@cache
def minor_digits(currency: str) -> int:
    """Digits after the point for ``currency`` (RUB 2, JPY 0, KWD 3), from CLDR via Babel."""
    return int(get_currency_precision(currency))


@cache
def _currencies() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if len(code) == 3)


def is_currency(code: str) -> bool:
    """An ISO 4217 code CLDR knows, in capitals (``RUB``; not ``rub``, not ``XXQ``)."""
    return code in _currencies()


def to_minor(amount: Decimal, currency: str) -> int:
    scale = Decimal(10) ** minor_digits(currency)
    return int((amount * scale).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_minor(minor: int, currency: str) -> Decimal:
    digits = minor_digits(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))
