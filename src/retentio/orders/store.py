"""Loading and saving order states in bulk, one round trip per batch rather than per order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from retentio.db.batches import chunks, insert_ignoring_duplicates, upsert
from retentio.orders.state import OrderLine, OrderState, ReturnLine, returned_quantities
from retentio.orders.tables import order_lines, orders


def lock_orders(connection: Connection, order_ids: Sequence[str], now: datetime) -> None:
    """Make sure a row exists for each order and, on PostgreSQL, hold it until commit.

    Inserting first and locking in key order is what keeps two ingesting processes from
    overwriting each other's changes or deadlocking on the same orders.
    """
    ordered = sorted(order_ids)
    for part in chunks(ordered):
        connection.execute(
            insert_ignoring_duplicates(connection, orders),
            [{"order_id": oid, "status": "pending", "updated_at": now, "returns": []} for oid in part],
        )
    if connection.dialect.name == "postgresql":
        for part in chunks(ordered):
            connection.execute(
                select(orders.c.order_id)
                .where(orders.c.order_id.in_(part))
                .order_by(orders.c.order_id)
                .with_for_update()
            )


def load_orders(connection: Connection, order_ids: Sequence[str]) -> dict[str, OrderState]:
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    states: dict[str, OrderState] = {}
    for part in chunks(list(order_ids)):
        for row in connection.execute(
            select(order_lines)
            .where(order_lines.c.order_id.in_(part))
            .order_by(order_lines.c.order_id, order_lines.c.line_no)
        ):
            lines[row.order_id].append(OrderLine(row.sku, row.quantity, row.price_minor))
        for row in connection.execute(select(orders).where(orders.c.order_id.in_(part))):
            states[row.order_id] = OrderState(
                order_id=row.order_id,
                customer_id=row.customer_id,
                anonymous_id=row.anonymous_id,
                placed_at=row.placed_at,
                currency=row.currency,
                total_minor=row.total_minor,
                discount_minor=row.discount_minor,
                coupon=row.coupon,
                lines=tuple(lines.get(row.order_id, ())),
                paid_at=row.paid_at,
                cancelled_at=row.cancelled_at,
                returns=tuple(ReturnLine(*item) for item in row.returns),
            )
    return states


def save_orders(connection: Connection, states: Iterable[OrderState], now: datetime) -> None:
    changed = sorted(states, key=lambda state: state.order_id)
    if not changed:
        return
    upsert(connection, orders, [_order_row(state, now) for state in changed])
    with_lines = [state for state in changed if state.lines]
    for part in chunks(with_lines):
        connection.execute(delete(order_lines).where(order_lines.c.order_id.in_([s.order_id for s in part])))
    rows = [row for state in with_lines for row in _line_rows(state)]
    if rows:
        connection.execute(order_lines.insert(), rows)


def _order_row(state: OrderState, now: datetime) -> dict[str, Any]:
    return {
        "order_id": state.order_id,
        "customer_id": state.customer_id,
        "anonymous_id": state.anonymous_id,
        "placed_at": state.placed_at,
        "currency": state.currency,
        "total_minor": state.total_minor,
        "discount_minor": state.discount_minor,
        "coupon": state.coupon,
        "paid_at": state.paid_at,
        "cancelled_at": state.cancelled_at,
        "returned_minor": state.returned_minor,
        "returns": [[r.sku, r.quantity, r.price_minor] for r in state.returns],
        "status": state.status,
        "updated_at": now,
    }


def _line_rows(state: OrderState) -> list[dict[str, Any]]:
    left = returned_quantities(state)
    rows = []
    for number, line in enumerate(state.lines, start=1):
        returned = min(left[line.sku], line.quantity)
        left[line.sku] -= returned
        rows.append(
            {
                "order_id": state.order_id,
                "line_no": number,
                "sku": line.sku,
                "quantity": line.quantity,
                "price_minor": line.price_minor,
                "returned_quantity": returned,
            }
        )
    return rows


def counted_order_dates(
    connection: Connection, customer_ids: Sequence[str]
) -> dict[str, tuple[datetime | None, list[datetime]]]:
    """First order date and the two newest, per customer, over orders that still count."""
    counted = orders.c.placed_at.is_not(None) & orders.c.cancelled_at.is_(None)
    result: dict[str, tuple[datetime | None, list[datetime]]] = {cid: (None, []) for cid in customer_ids}
    for part in chunks(list(customer_ids)):
        firsts = dict(
            connection.execute(
                select(orders.c.customer_id, func.min(orders.c.placed_at))
                .where(orders.c.customer_id.in_(part), counted)
                .group_by(orders.c.customer_id)
            ).all()
        )
        for customer_id in part:
            newest = connection.execute(
                select(orders.c.placed_at)
                .where(orders.c.customer_id == customer_id, counted)
                .order_by(orders.c.placed_at.desc())
                .limit(2)
            ).scalars()
            result[customer_id] = (firsts.get(customer_id), list(newest))
    return result
