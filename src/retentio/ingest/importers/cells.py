"""Reading one cell's text as a typed value — every accepted form spelled out, nothing guessed.

Errors are ``ValueError`` with a message fit for the import report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from retentio.clock import accepted_instant

T = TypeVar("T")
MAX_ID = 128
_SPACES = (" ", "\u00a0", "\u202f", "'")  # thousands separators: space, no-break spaces, Swiss '
_TRUE = frozenset({"1", "true", "yes", "y", "t", "+", "да", "д", "так"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "-", "нет", "н", "ні"})
_DAY_FIRST = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")


def parse_as(name: str, text: str | None, parse: Callable[[str], T]) -> T:
    """``parse(text)`` with the error prefixed by the field's name; an empty value is an error."""
    if not text:
        raise ValueError(f"{name}: empty")
    try:
        return parse(text)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def parse_decimal(text: str) -> Decimal:
    """``12.50``, ``12,50``, ``1 234,50``, ``1,234.50``, ``1.234,50``: the last of ``.``/``,`` is the
    decimal point when both appear."""
    try:
        number = Decimal(text)  # the plain form, most cells: no rewriting needed
    except InvalidOperation:
        return _parse_written_decimal(text)
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return number


def _parse_written_decimal(text: str) -> Decimal:
    value = text.strip()
    for space in _SPACES:
        value = value.replace(space, "")
    if "," in value and "." in value:
        thousands = "," if value.rfind(".") > value.rfind(",") else "."
        value = value.replace(thousands, "")
    value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return number


def parse_quantity(text: str) -> int:
    digits = text.removeprefix("-")
    if digits.isascii() and digits.isdigit():
        return int(text)
    number = parse_decimal(text)
    if number != number.to_integral_value():
        raise ValueError(f"quantity {text!r} is not a whole number")
    return int(number)


def parse_timestamp(text: str, zone: tzinfo = UTC, date_format: str | None = None) -> datetime:
    """ISO 8601 (a date, a date and time, with or without offset) or ``DD.MM.YYYY[ HH:MM[:SS]]``;
    ``date_format`` (strptime) replaces both. A time without offset is read in ``zone``."""
    value = text.strip()
    parsed = _with_format(value, date_format) if date_format else _iso_or_day_first(value)
    if parsed is None:
        hint = f"does not match {date_format!r}" if date_format else "is not a date (use --date-format)"
        raise ValueError(f"{text!r} {hint}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return accepted_instant(parsed)


def parse_date(text: str, date_format: str | None = None) -> date:
    value = text.strip()
    parsed = _with_format(value, date_format) if date_format else _iso_or_day_first(value)
    if parsed is None:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)")
    return parsed.date()


def parse_flag(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes/no (1/0, true/false, да/нет)")


def derived_id(*parts: str) -> str:
    """``parts`` joined by ``:``; an id longer than 128 characters keeps its head and a digest."""
    joined = ":".join(parts)
    if len(joined) <= MAX_ID:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:40]
    return f"{joined[: MAX_ID - len(digest) - 1]}~{digest}"


def _with_format(value: str, date_format: str | None) -> datetime | None:
    try:
        return datetime.strptime(value, date_format or "")
    except ValueError:
        return None


def _iso_or_day_first(value: str) -> datetime | None:
    iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    for pattern in _DAY_FIRST:
        parsed = _with_format(value, pattern)
        if parsed is not None:
            return parsed
    return None
