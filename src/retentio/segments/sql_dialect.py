"""The few SQL functions the set-based evaluation needs that SQLite and PostgreSQL spell differently.

Times become whole epoch seconds (``epoch``) so every comparison is integer arithmetic, exactly as in
the pure decisions; ``from_epoch`` turns a second back into the stored timestamp form.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from retentio.db.types import UtcDateTime, json_type

_FAR = 2**62  # larger than any epoch second: stands in for NULL inside LEAST/MIN


class epoch(FunctionElement[int]):  # noqa: N801 - reads as a SQL function
    """Whole seconds since 1970 of a stored timestamp (NULL stays NULL)."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"unixepoch({compiler.process(element.clauses, **kw)})"


@compiles(epoch, "postgresql")
def _epoch_postgres(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part gives float8 (extract gives numeric, much slower); exact to the microsecond here.
    return f"CAST(floor(date_part('epoch', {compiler.process(element.clauses, **kw)})) AS BIGINT)"


class from_epoch(FunctionElement[Any]):  # noqa: N801
    """The stored timestamp of a whole epoch second."""

    type = UtcDateTime()
    inherit_cache = True


@compiles(from_epoch, "sqlite")
def _from_epoch_sqlite(element: from_epoch, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return f"(strftime('%Y-%m-%d %H:%M:%S', {inner}, 'unixepoch') || '.000000')"


@compiles(from_epoch, "postgresql")
def _from_epoch_postgres(element: from_epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_timestamp({compiler.process(element.clauses, **kw)})"


class least(FunctionElement[int]):  # noqa: N801
    """The smallest non-NULL argument, NULL when all are NULL."""

    type = BigInteger()
    inherit_cache = True


def _least(element: least, compiler: SQLCompiler, name: str, **kw: Any) -> str:
    parts = [f"coalesce({compiler.process(clause, **kw)}, {_FAR})" for clause in element.clauses]
    return f"nullif({name}({', '.join(parts)}), {_FAR})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        _least(element, compiler, "min", **kw)
        if len(element.clauses) > 1
        else _single(element, compiler, **kw)
    )


@compiles(least, "postgresql")
def _least_postgres(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        _least(element, compiler, "LEAST", **kw)
        if len(element.clauses) > 1
        else _single(element, compiler, **kw)
    )


def _single(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


class greatest2(FunctionElement[int]):  # noqa: N801
    """The larger of two non-NULL values."""

    type = BigInteger()
    inherit_cache = True


@compiles(greatest2, "sqlite")
def _greatest_sqlite(element: greatest2, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(greatest2, "postgresql")
def _greatest_postgres(element: greatest2, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


class ceil_nonnegative(FunctionElement[int]):  # noqa: N801
    """Ceiling of a non-negative float, as an integer (SQLite may lack ``ceil``)."""

    type = BigInteger()
    inherit_cache = True


@compiles(ceil_nonnegative, "sqlite")
def _ceil_sqlite(element: ceil_nonnegative, compiler: SQLCompiler, **kw: Any) -> str:
    x = compiler.process(element.clauses, **kw)
    return f"(CAST({x} AS INTEGER) + ({x} > CAST({x} AS INTEGER)))"


@compiles(ceil_nonnegative, "postgresql")
def _ceil_postgres(element: ceil_nonnegative, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(ceil({compiler.process(element.clauses, **kw)}) AS BIGINT)"


class json_object(FunctionElement[Any]):  # noqa: N801
    """A JSON object from alternating key and value arguments."""

    type = json_type()
    inherit_cache = True


@compiles(json_object, "sqlite")
def _json_object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clauses, **kw)})"


@compiles(json_object, "postgresql")
def _json_object_postgres(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    # Every argument typed as text: bound literals would otherwise be of unknown type.
    parts = [f"CAST({compiler.process(clause, **kw)} AS TEXT)" for clause in element.clauses]
    return f"jsonb_build_object({', '.join(parts)})"


class empty_json_array(FunctionElement[Any]):  # noqa: N801
    type = json_type()
    inherit_cache = True


@compiles(empty_json_array, "sqlite")
def _empty_sqlite(element: empty_json_array, compiler: SQLCompiler, **kw: Any) -> str:
    return "'[]'"


@compiles(empty_json_array, "postgresql")
def _empty_postgres(element: empty_json_array, compiler: SQLCompiler, **kw: Any) -> str:
    return "'[]'::jsonb"


def as_float(expression: ColumnElement[Any]) -> ColumnElement[float]:
    from sqlalchemy import cast

    return cast(expression, Float())


def as_text(expression: ColumnElement[Any]) -> ColumnElement[str]:
    from sqlalchemy import cast

    return cast(expression, String())


class as_int(FunctionElement[int]):  # noqa: N801
    """A condition as 0/1 (SQLite's booleans already are integers)."""

    type = BigInteger()
    inherit_cache = True


@compiles(as_int, "sqlite")
def _as_int_sqlite(element: as_int, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(as_int, "postgresql")
def _as_int_postgres(element: as_int, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AS INTEGER)"
