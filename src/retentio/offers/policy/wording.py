"""How figures read in the reasons: money with its sign and thousands separated, shares as percent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_SIGNS = {"RUB": "₽", "EUR": "€", "USD": "$", "GBP": "£", "UAH": "₴", "KZT": "₸"}


def money(amount: Decimal, currency: str) -> str:
    whole = amount.quantize(Decimal(1), ROUND_HALF_UP)
    return f"{whole:,} {_SIGNS.get(currency, currency)}"


def percent(share: Decimal) -> str:
    """A share of 1 (0.18) as "18 %"."""
    return f"{(share * 100).quantize(Decimal(1), ROUND_HALF_UP)} %"


def size(value: Decimal) -> str:
    return f"{value.normalize():f}"
