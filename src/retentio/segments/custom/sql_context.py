"""What compiling a rule needs besides the rule: the clock, the dialect, the store's currency, the
ids of referenced segments, and (for incremental evaluation) the customers to look at."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import String, Table, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.selectable import FromClause


class CustomerIds:
    """A set of customer ids bound as ONE parameter whatever their number (a JSON list).

    Each database is led to one key lookup per id: PostgreSQL by driving the query from the ids
    (``= ANY`` or ``IN`` over a parameter gets generic plans that scan), SQLite by ``IN (json_each)``
    (it would rather put the id list in the inner loop of a join)."""

    def __init__(self, ids: Sequence[str], dialect: str) -> None:
        self.dialect = dialect
        self._listed: BindParameter[str] = bindparam("customer_ids", orjson.dumps(list(ids)).decode(), String)

    def restrict(
        self, table: Table, column: ColumnElement[Any]
    ) -> tuple[FromClause, list[ColumnElement[bool]]]:
        """``table`` limited to rows whose ``column`` is one of the ids: a source to select from and
        the conditions to add."""
        if self.dialect == "postgresql":
            ids = func.jsonb_array_elements_text(cast(self._listed, JSONB)).table_valued("value")
            return ids.join(table, column == ids.c.value), []
        listed = func.json_each(self._listed).table_valued("value")
        return table, [column.in_(select(listed.c.value))]


@dataclass(frozen=True, slots=True)
class SqlContext:
    now: datetime
    dialect: str  # "sqlite" or "postgresql"
    currency: str
    segment_ids: Mapping[str, int] = field(default_factory=dict)
    only: CustomerIds | None = None  # evaluate only these customers
