"""What compiling a rule needs besides the rule: the clock, the dialect, the store's currency, the
ids of referenced segments, and (for incremental evaluation) the customers to look at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.sql.expression import Select


@dataclass(frozen=True, slots=True)
class SqlContext:
    now: datetime
    dialect: str  # "sqlite" or "postgresql"
    currency: str
    segment_ids: Mapping[str, int] = field(default_factory=dict)
    # A one-column selectable of customer ids: evaluate only these customers.
    only: Select[Any] | None = None
