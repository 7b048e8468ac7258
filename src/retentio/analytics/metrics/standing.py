"""Counts of the built-in segment families (RFM, lifecycle, Hunt's ladder, bad customers) from the
``customer_standing`` table the segments area keeps (empty counts in a store not migrated that far)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, func, inspect, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.segments import customer_standing as standing

FAMILY_COLUMNS: dict[str, ColumnElement[Any]] = {
    "rfm": standing.c.rfm_segment,
    "lifecycle": standing.c.lifecycle,
    "ladder": standing.c.ladder,
    "bad": standing.c.bad_customer,
}
_SCHEMA: dict[str, Any] = {"rfm": pl.String, "lifecycle": pl.String, "ladder": pl.String, "bad": pl.Boolean}
TRUE_WORDS = ("true", "yes", "1")


@dataclass(frozen=True, slots=True)
class StandingCounts:
    rfm: dict[str, int] = field(default_factory=dict)
    lifecycle: dict[str, int] = field(default_factory=dict)
    ladder: dict[str, int] = field(default_factory=dict)
    bad_customers: int = 0


def standing_counts(connection: Connection, customer_ids: Iterable[str] | None = None) -> StandingCounts:
    """Customers per RFM segment, lifecycle stage and ladder stage, and the flagged bad customers
    (of ``customer_ids`` only, when given)."""
    if not _kept(connection):
        return StandingCounts()
    labelled = [column.label(family) for family, column in FAMILY_COLUMNS.items()]
    if customer_ids is None:  # the whole base: grouped in SQL, a few hundred combinations at most
        query = select(*labelled, func.count().label("n")).group_by(*FAMILY_COLUMNS.values())
        groups = _frame(connection, query, {**_SCHEMA, "n": pl.Int64})
    else:
        query = select(standing.c.customer_id, *labelled)
        rows = _frame(connection, query, {"customer_id": pl.String, **_SCHEMA})
        members = pl.Series(list(customer_ids), dtype=pl.String).implode()
        groups = rows.filter(pl.col("customer_id").is_in(members)).group_by(*_SCHEMA).len("n")
    return StandingCounts(
        rfm=_counts(groups, "rfm"),
        lifecycle=_counts(groups, "lifecycle"),
        ladder=_counts(groups, "ladder"),
        bad_customers=int(groups.filter(pl.col("bad")).get_column("n").sum()),
    )


def family_members(connection: Connection, family: str, value: str) -> frozenset[str] | None:
    """Customers whose current standing in ``family`` (rfm, lifecycle, ladder, bad) is ``value``;
    None when the store does not keep standings yet."""
    if not _kept(connection):
        return None
    column = FAMILY_COLUMNS[family]
    wanted: str | bool = value.lower() in TRUE_WORDS if family == "bad" else value
    return frozenset(connection.execute(select(standing.c.customer_id).where(column == wanted)).scalars())


def _kept(connection: Connection) -> bool:
    return inspect(connection).has_table(standing.name)


def _frame(connection: Connection, query: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([tuple(row) for row in connection.execute(query)], schema=schema, orient="row")


def _counts(groups: pl.DataFrame, family: str) -> dict[str, int]:
    named = groups.filter(pl.col(family).is_not_null()).group_by(family).agg(pl.col("n").sum()).sort(family)
    return {str(name): int(count) for name, count in named.iter_rows()}
