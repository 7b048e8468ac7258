"""Reading one value out of a JSON column, the same way on SQLite (``json_extract``) and PostgreSQL
(``jsonb`` operators). Keys travel as bound parameters; a value of the wrong JSON type reads as NULL,
so no cast can fail at run time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, bindparam, case, cast, func
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Float, Numeric

Path = tuple[str, ...]
# Text that reads as a number: shops often send amounts as "1500.00".
_NUMBER_PATTERN_POSTGRES = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"
SUM_SCALE = 10_000  # SQLite sums scaled integers: exact to 4 digits after the point


def json_text(column: ColumnElement[Any], path: Path, dialect: str) -> ColumnElement[str | None]:
    """The value when it is a JSON string, else NULL."""
    text = column[path].as_string()
    return case((json_type(column, path, dialect) == _text_type(dialect), text), else_=None)


def json_present(column: ColumnElement[Any], path: Path) -> ColumnElement[bool]:
    """The key is there with a non-null value."""
    text: ColumnElement[Any] = column[path].as_string()
    return text.is_not(None)


def json_number(column: ColumnElement[Any], path: Path, dialect: str) -> ColumnElement[float | None]:
    """A JSON number, or a string holding one; else NULL."""
    text = column[path].as_string()
    kind = json_type(column, path, dialect)
    if dialect == "postgresql":
        numeric = kind == "string"
        pattern = bindparam(None, _NUMBER_PATTERN_POSTGRES, String)
        return case(
            (kind == "number", cast(text, Float)),
            (numeric & text.regexp_match(pattern), cast(text, Float)),
            else_=None,
        )
    return case(
        (kind.in_(("integer", "real")), cast(text, Float)),
        ((kind == "text") & _sqlite_numeric_text(text), cast(text, Float)),
        else_=None,
    )


def json_amount(column: ColumnElement[Any], path: Path, dialect: str) -> ColumnElement[Any]:
    """A number to sum exactly: ``numeric`` on PostgreSQL, integer ten-thousandths on SQLite."""
    number = json_number(column, path, dialect)
    if dialect == "postgresql":
        return case((number.is_not(None), cast(column[path].as_string(), Numeric)), else_=None)
    return cast(func.round(number * SUM_SCALE), Integer)


def json_boolean_is(
    column: ColumnElement[Any], path: Path, wanted: bool, dialect: str
) -> ColumnElement[bool]:
    """The value is JSON ``true`` (or ``false``, when ``wanted`` is False)."""
    if dialect == "postgresql":
        text: ColumnElement[Any] = column[path].as_string()
        return (json_type(column, path, dialect) == "boolean") & (text == ("true" if wanted else "false"))
    return json_type(column, path, dialect) == ("true" if wanted else "false")


def json_array_length(column: ColumnElement[Any], dialect: str) -> ColumnElement[int]:
    name = func.jsonb_array_length if dialect == "postgresql" else func.json_array_length
    return name(column)


def json_type(column: ColumnElement[Any], path: Path, dialect: str) -> ColumnElement[str]:
    if dialect == "postgresql":
        return func.jsonb_typeof(column[path])
    sqlite_path = "$" + "".join(f'."{key}"' for key in path)
    return func.json_type(column, bindparam(None, sqlite_path, String))


def _text_type(dialect: str) -> str:
    return "string" if dialect == "postgresql" else "text"


def _sqlite_numeric_text(text: ColumnElement[Any]) -> ColumnElement[bool]:
    only_number_characters = text.op("NOT GLOB", is_comparison=True)(bindparam(None, "*[^0-9.eE+-]*", String))
    has_a_digit = text.op("GLOB", is_comparison=True)(bindparam(None, "*[0-9]*", String))
    return only_number_characters & has_a_digit
