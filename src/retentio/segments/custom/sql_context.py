"""What compiling a rule needs besides the rule: the clock, the dialect, the store's currency, the
ids of referenced segments, and (for incremental evaluation) the customers to look at."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import String, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import BindParameter, ColumnElement


class CustomerIds:
    """A set of customer ids bound as ONE parameter whatever their number: a JSON list, which
    PostgreSQL turns into an array for ``= ANY`` (its planner then reads the key index) and SQLite
    reads with ``json_each``."""

    def __init__(self, ids: Sequence[str], dialect: str) -> None:
        self.dialect = dialect
        self._listed: BindParameter[str] = bindparam("customer_ids", orjson.dumps(list(ids)).decode(), String)

    def contain(self, column: ColumnElement[Any]) -> ColumnElement[bool]:
        if self.dialect == "postgresql":
            values = select(func.jsonb_array_elements_text(cast(self._listed, JSONB)))
            return column == any_(func.array(values.scalar_subquery()))
        listed = func.json_each(self._listed).table_valued("value")
        return column.in_(select(listed.c.value))


@dataclass(frozen=True, slots=True)
class SqlContext:
    now: datetime
    dialect: str  # "sqlite" or "postgresql"
    currency: str
    segment_ids: Mapping[str, int] = field(default_factory=dict)
    only: CustomerIds | None = None  # evaluate only these customers
