"""Comparisons as SQL, two-valued: a test on a missing value is false (never NULL), so ``not``
means what a marketer expects. Values are always bound parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Boolean, and_, false, func, literal, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from retentio.segments.custom.catalogue import Kind
from retentio.segments.custom.sql_json import json_boolean_is, json_number, json_present, json_text
from retentio.segments.custom.values import json_kind, to_python

Expression = ColumnElement[Any]
Test = ColumnElement[bool]
DAY = timedelta(days=1)


def compare(expression: Expression, op: str, value: Any, dialect: str, guard: bool = True) -> Test:
    """``expression op value``; with ``guard``, false where the expression is NULL."""
    if op == "is_null":
        return expression.is_(None) if value in (None, True) else expression.is_not(None)
    test = _plain(expression, op, value, dialect)
    return func.coalesce(test, false(), type_=Boolean) if guard else test


def _plain(expression: Expression, op: str, value: Any, dialect: str) -> Test:
    if op == "=":
        return cast(Test, expression == value)
    if op == "!=":
        return cast(Test, expression != value)
    if op == "<":
        return cast(Test, expression < value)
    if op == "<=":
        return cast(Test, expression <= value)
    if op == ">":
        return cast(Test, expression > value)
    if op == ">=":
        return cast(Test, expression >= value)
    if op == "in":
        return expression.in_(value)
    if op == "not_in":
        return expression.not_in(value)
    if op == "between":
        return expression.between(value[0], value[1])
    if op == "contains":  # case-sensitive substring, the same on both databases
        position = func.strpos if dialect == "postgresql" else func.instr
        return position(expression, literal(value)) > 0
    raise ValueError(f"unknown operator {op!r}")


def compare_bound(expression: Expression, bound: Mapping[str, Any], dialect: str) -> Test:
    """``{">=": 3, "<": 10}`` against a never-NULL expression (a count or a sum)."""
    return and_(*(_plain(expression, op, value, dialect) for op, value in bound.items()))


def days_since(
    moment: Expression, op: str, value: Any, now: datetime, point: Callable[[datetime], Any] = lambda at: at
) -> Test:
    """Whole days elapsed from ``moment`` to ``now`` (``floor``), compared without date arithmetic
    in SQL: "at least N days" is "at or before now − N days". ``point`` turns a boundary into what
    ``moment`` is compared with (an ISO text for times kept in JSON)."""
    if op == "is_null":
        return compare(moment, op, value, "")

    def at_least(days: int) -> Test:
        return cast(Test, moment <= point(now - days * DAY))

    def below(days: int) -> Test:
        return cast(Test, moment > point(now - days * DAY))

    def equal(days: int) -> Test:
        return and_(at_least(days), below(days + 1))

    tests: dict[str, Callable[[], Test]] = {
        ">=": lambda: at_least(value),
        ">": lambda: at_least(value + 1),
        "<": lambda: below(value),
        "<=": lambda: below(value + 1),
        "=": lambda: equal(value),
        "!=": lambda: not_(equal(value)),
        "in": lambda: or_(*(equal(days) for days in value)),
        "not_in": lambda: and_(*(not_(equal(days)) for days in value)),
        "between": lambda: and_(at_least(value[0]), below(value[1] + 1)),
    }
    return and_(moment.is_not(None), tests[op]())


def ratio(numerator: Expression, denominator: Expression, op: str, value: Any, dialect: str) -> Test:
    """``numerator / denominator op value`` as ``numerator op value × denominator`` (exact for
    integers), false where the denominator is zero."""
    if op == "is_null":
        return denominator == 0 if value in (None, True) else denominator > 0

    def scaled(number: Any) -> Expression:
        return literal(number) * denominator

    if op in ("in", "not_in"):
        tests = [numerator == scaled(number) for number in value]
        return and_(denominator > 0, or_(*tests) if op == "in" else not_(or_(*tests)))
    if op == "between":
        return and_(denominator > 0, numerator >= scaled(value[0]), numerator <= scaled(value[1]))
    return and_(denominator > 0, _plain(numerator, op, scaled(value), dialect))


def boolean(test: Test, op: str, value: bool) -> Test:
    """A yes/no fact compared with true/false (``test`` must never be NULL)."""
    wanted = value if op == "=" else not value
    return test if wanted else not_(test)


def compare_json(column: Expression, path: tuple[str, ...], op: str, raw: Any, dialect: str) -> Test:
    """A value inside a JSON column, compared as the type of the rule's value (text with text,
    numbers with numbers or numeric texts, true/false with booleans); a missing key is NULL."""
    if op == "is_null":
        present = json_present(column, path)
        return present if raw is False else not_(present)
    kind = json_kind(raw)
    value = [to_python(kind, item) for item in raw] if isinstance(raw, list) else to_python(kind, raw)
    if kind is Kind.BOOLEAN:
        return json_boolean_is(column, path, bool(value) if op == "=" else not value, dialect)
    extracted = (
        json_number(column, path, dialect) if kind is Kind.NUMBER else json_text(column, path, dialect)
    )
    return compare(extracted, op, value, dialect)
