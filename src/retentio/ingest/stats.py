"""How much the store holds: the counts ``retentio stats`` prints (read only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from retentio.catalog import products
from retentio.customers import customers
from retentio.events import events
from retentio.orders import order_lines, orders


@dataclass(frozen=True, slots=True)
class EventOrigins:
    sent: int  # by clients: the API, importers, the demo
    derived: int  # by Retentio itself, from what was sent (segment moves)


def count_events_by_origin(connection: Connection) -> EventOrigins:
    """The events in the log, sent apart from derived (marked so when Retentio appended them)."""
    derived = events.c.derived.is_(True)
    total, derived_count = connection.execute(select(func.count(), func.count().filter(derived))).one()
    return EventOrigins(sent=int(total) - int(derived_count), derived=int(derived_count))


@dataclass(frozen=True, slots=True)
class StoreCounts:
    customers: int  # not counting records merged into another
    products: int
    orders: int
    order_lines: int
    events: int
    events_sent: int
    events_derived: int
    orders_by_status: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def count_store(connection: Connection) -> StoreCounts:
    statuses = select(orders.c.status, func.count()).group_by(orders.c.status).order_by(orders.c.status)
    by_status = connection.execute(statuses).all()
    origins = count_events_by_origin(connection)
    return StoreCounts(
        customers=_count(connection, select(func.count()).where(customers.c.merged_into.is_(None))),
        products=_count(connection, select(func.count()).select_from(products)),
        orders=_count(connection, select(func.count()).select_from(orders)),
        order_lines=_count(connection, select(func.count()).select_from(order_lines)),
        events=origins.sent + origins.derived,
        events_sent=origins.sent,
        events_derived=origins.derived,
        orders_by_status={str(status): int(count) for status, count in by_status},
    )


def _count(connection: Connection, statement: Any) -> int:
    return int(connection.execute(statement).scalar_one())
