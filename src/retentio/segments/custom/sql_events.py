"""Event conditions as SQL: the count (or sum) of a customer's events of one type, with property
filters, in a window ending "now".

For everyone (a refresh) each condition is one grouped subquery over the window, joined to
customers. For a few customers (incremental evaluation) it is a correlated subquery reading each
customer's own events through the ``(customer_id, occurred_at)`` index: the planners cannot size the
list of ids, and with a grouped subquery PostgreSQL then nests loops over whole windows.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Subquery, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.customers import customers
from retentio.events import events
from retentio.segments.custom.model import EventQuery, PropertyFilter
from retentio.segments.custom.sql_compare import Test, compare_bound, compare_json
from retentio.segments.custom.sql_context import SqlContext
from retentio.segments.custom.sql_json import SUM_SCALE, json_amount


def event_aggregate(query: EventQuery, context: SqlContext, name: str) -> Subquery:
    """``(customer_id, total)`` for every customer with a matching event in the window."""
    conditions = [*_matching(query, context, events.c.type == query.type), events.c.customer_id.is_not(None)]
    statement = select(events.c.customer_id, _total(query, context.dialect).label("total"))
    return statement.where(and_(*conditions)).group_by(events.c.customer_id).subquery(name)


def own_events_total(query: EventQuery, context: SqlContext) -> ColumnElement[Any]:
    """The total of the outer query's customer, as a correlated scalar subquery."""
    # Without fresh statistics either planner may walk the (type, time) index over the whole window
    # once per customer; ``type || ''`` cannot use that index, so each customer's own events are read.
    type_test = events.c.type.concat("") == query.type
    conditions = [*_matching(query, context, type_test), events.c.customer_id == customers.c.customer_id]
    statement = select(_total(query, context.dialect)).where(and_(*conditions))
    return statement.correlate(customers).scalar_subquery()


def total_test(query: EventQuery, total: ColumnElement[Any], dialect: str) -> Test:
    """The total compared with the rule's bound; no matching event counts (and sums) as 0."""
    bound: dict[str, Any] = {str(op): value for op, value in query.bound.items()}
    if query.sum is not None:
        bound = {op: _scaled(value, dialect) for op, value in bound.items()}
    return compare_bound(func.coalesce(total, 0), bound, dialect)


def _matching(query: EventQuery, context: SqlContext, type_test: Test) -> list[Test]:
    since = context.now - timedelta(hours=query.window.total_hours)
    return [
        type_test,
        events.c.occurred_at > since,
        events.c.occurred_at <= context.now,
        *(property_test(condition, context.dialect) for condition in query.where),
    ]


def zero_passes(query: EventQuery) -> bool:
    """Whether a customer with no matching event meets the condition (then the join must stay outer)."""
    return all(_holds(op, 0, value) for op, value in query.bound.items())


def property_test(condition: PropertyFilter, dialect: str) -> Test:
    path = tuple(condition.property.split("."))
    return compare_json(events.c.properties, path, condition.op, condition.value, dialect)


def _total(query: EventQuery, dialect: str) -> ColumnElement[Any]:
    if query.sum is None:
        return func.count()
    return func.sum(json_amount(events.c.properties, tuple(query.sum.split(".")), dialect))


def _scaled(value: float, dialect: str) -> Any:
    amount = Decimal(str(value))
    if dialect == "postgresql":
        return amount
    return int((amount * SUM_SCALE).to_integral_value())


def _holds(op: str, left: float, right: float) -> bool:
    return {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]
