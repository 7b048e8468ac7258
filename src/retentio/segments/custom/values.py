"""Checking a condition's operator and value against the type of what it tests (pure).

Errors come back as ``(suffix, message)``: the suffix (``.op``, ``.value[1]``) is appended to the
condition's path by the caller.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from retentio.clock import parse_instant
from retentio.segments.custom.catalogue import OPERATORS, Kind

Problem = tuple[str, str]
MAX_LIST = 1000
MAX_TEXT = 1000
MAX_DAYS = 36_500
_LISTS = frozenset({"in", "not_in"})


def check_condition(kind: Kind, nullable: bool, op: str, value: Any, subject: str) -> list[Problem]:
    if op == "is_null":
        return _check_is_null(nullable, value, subject)
    if kind is Kind.JSON:
        kind = json_kind(value)
    if op not in OPERATORS[kind]:
        allowed = ", ".join(sorted(OPERATORS[kind] | ({"is_null"} if nullable else set())))
        return [(".op", f"{op!r} does not apply to {subject} ({kind}); use one of: {allowed}")]
    if op in _LISTS:
        return _check_list(kind, value, subject, 1, MAX_LIST)
    if op == "between":
        return _check_between(kind, value, subject)
    if isinstance(value, list):
        return [(".value", f"{op!r} takes one value, not a list (use 'in' for a list)")]
    problem = check_scalar(kind, value, subject)
    return [(".value", problem)] if problem else []


def json_kind(value: Any) -> Kind:
    """A free attribute is compared as the type of the value the rule gives."""
    sample = value[0] if isinstance(value, list) and value else value
    if isinstance(sample, bool):
        return Kind.BOOLEAN
    if isinstance(sample, int | float):
        return Kind.NUMBER
    return Kind.TEXT


def check_scalar(kind: Kind, value: Any, subject: str) -> str | None:
    """Why ``value`` is not a valid ``kind`` for ``subject``, or None."""
    try:
        to_python(kind, value)
    except (TypeError, ValueError) as error:
        return f"{subject} takes {_expected(kind)}, got {value!r}" + (f" ({error})" if str(error) else "")
    return None


def to_python(kind: Kind, value: Any) -> Any:
    """The value as the compiler binds it; raises ``ValueError``/``TypeError`` when it does not fit."""
    if kind in (Kind.INTEGER, Kind.DAYS, Kind.MONTH):
        return _integer(kind, value)
    if kind is Kind.NUMBER:
        return _number(value)
    if kind is Kind.MONEY:
        return _money(value)
    if kind is Kind.TEXT:
        return _text(value)
    if kind is Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise TypeError("")
        return value
    if kind is Kind.TIME:
        return _time(value)
    raise TypeError("")


def _check_is_null(nullable: bool, value: Any, subject: str) -> list[Problem]:
    if not nullable:
        return [(".op", f"{subject} always has a value; 'is_null' does not apply")]
    if value is not None and not isinstance(value, bool):
        return [(".value", "'is_null' takes true (the default) or false")]
    return []


def _check_list(kind: Kind, value: Any, subject: str, shortest: int, longest: int) -> list[Problem]:
    if not isinstance(value, list) or not shortest <= len(value) <= longest:
        return [(".value", f"give a list of {shortest} to {longest} values")]
    problems = []
    for index, item in enumerate(value):
        problem = check_scalar(kind, item, subject)
        if problem:
            problems.append((f".value[{index}]", problem))
    return problems


def _check_between(kind: Kind, value: Any, subject: str) -> list[Problem]:
    if not isinstance(value, list) or len(value) != 2:
        return [(".value", "'between' takes [low, high] (both included)")]
    problems = _check_list(kind, value, subject, 2, 2)
    if not problems and to_python(kind, value[0]) > to_python(kind, value[1]):
        problems.append((".value", f"low {value[0]!r} is above high {value[1]!r}"))
    return problems


def _expected(kind: Kind) -> str:
    return {
        Kind.INTEGER: "a whole number",
        Kind.NUMBER: "a number",
        Kind.MONEY: 'an amount such as 1500 or "1500.50"',
        Kind.TEXT: f"a text of at most {MAX_TEXT} characters",
        Kind.BOOLEAN: "true or false",
        Kind.TIME: 'a time such as "2026-01-31T00:00:00+03:00" or a date "2026-01-31"',
        Kind.DAYS: f"a whole number of days, 0 to {MAX_DAYS}",
        Kind.MONTH: "a month number, 1 to 12",
        Kind.JSON: "a text, number or true/false",
    }[kind]


def _integer(kind: Kind, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("")
    low, high = {Kind.DAYS: (0, MAX_DAYS), Kind.MONTH: (1, 12)}.get(kind, (-(10**15), 10**15))
    if not low <= value <= high:
        raise ValueError("out of range")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("")
    if not math.isfinite(value) or abs(value) > 1e15:
        raise ValueError("out of range")
    return float(value)


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError("")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not amount.is_finite() or abs(amount) > Decimal("1e12"):
        raise ValueError("out of range")
    if amount.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError("at most 4 digits after the point")
    return amount


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("")
    if len(value) > MAX_TEXT or "\x00" in value:
        raise ValueError("too long or holds a NUL character")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("")
    return parse_instant(value)
