"""Loading and saving order states in bulk, one round trip per batch rather than per order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from retentio.db.batches import chunks
from retentio.db.codec import Codec, codec_for, executemany, fetchall
from retentio.orders.lines import OrderLine, ReturnLine
from retentio.orders.state import OrderState
from retentio.orders.tables import order_lines, orders

_ORDER_COLUMNS = (
    "order_id", "customer_id", "anonymous_id", "placed_at", "currency", "total_minor", "discount_minor",
    "coupon", "paid_at", "cancelled_at", "returned_minor", "returns", "status", "updated_at",
)  # fmt: skip
_LINE_COLUMNS = ("order_id", "line_no", "sku", "quantity", "price_minor", "returned_quantity")


def lock_orders(connection: Connection, order_ids: Sequence[str], now: datetime) -> None:
    """On PostgreSQL, make sure a row exists for each order and hold it until commit.

    Inserting first and locking in key order is what keeps two ingesting processes from
    overwriting each other's changes or deadlocking on the same orders. SQLite's single writer
    (``BEGIN IMMEDIATE``) needs neither.
    """
    codec = codec_for(connection)
    if not codec.is_postgres:
        return
    ordered = sorted(order_ids)
    stamp = codec.timestamp(now)
    executemany(
        connection,
        "INSERT INTO orders (order_id, status, updated_at, returns, total_minor, discount_minor,"
        " returned_minor) VALUES (%s, 'pending', %s, '[]'::jsonb, 0, 0, 0) ON CONFLICT DO NOTHING",
        [(order_id, stamp) for order_id in ordered],
    )
    for part in chunks(ordered):
        fetchall(
            connection,
            f"SELECT order_id FROM orders WHERE order_id IN ({codec.marks(len(part))})"
            " ORDER BY order_id FOR UPDATE",
            part,
        )


def load_orders(connection: Connection, order_ids: Sequence[str]) -> dict[str, OrderState]:
    """The stored state of each of ``order_ids`` that has a row (others are simply absent)."""
    codec = codec_for(connection)
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    states: dict[str, OrderState] = {}
    for part in chunks(list(order_ids)):
        marks = codec.marks(len(part))
        for order_id, sku, quantity, price_minor in fetchall(
            connection,
            f"SELECT order_id, sku, quantity, price_minor FROM order_lines WHERE order_id IN ({marks})"
            " ORDER BY order_id, line_no",
            part,
        ):
            lines[order_id].append(OrderLine(sku, quantity, price_minor))
        columns = ", ".join(_ORDER_COLUMNS[:12])
        for row in fetchall(connection, f"SELECT {columns} FROM orders WHERE order_id IN ({marks})", part):
            states[row[0]] = _state_from_row(codec, row, lines.get(row[0], ()))
    return states


def save_orders(
    connection: Connection,
    states: Iterable[OrderState],
    now: datetime,
    before: Mapping[str, OrderState] | None = None,
) -> None:
    """Write the orders; lines are rewritten only for orders whose lines or returns changed."""
    changed = sorted(states, key=lambda state: state.order_id)
    if not changed:
        return
    codec = codec_for(connection)
    stamp = codec.timestamp(now)
    marks = ", ".join(codec.json_mark() if name == "returns" else codec.mark for name in _ORDER_COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in _ORDER_COLUMNS[1:])
    executemany(
        connection,
        f"INSERT INTO orders ({', '.join(_ORDER_COLUMNS)}) VALUES ({marks})"
        f" ON CONFLICT (order_id) DO UPDATE SET {updates}",
        [_order_values(codec, state, stamp) for state in changed],
    )
    old = before or {}
    relined = [state for state in changed if _lines_changed(old.get(state.order_id), state)]
    for part in chunks(relined):
        connection.exec_driver_sql(
            f"DELETE FROM order_lines WHERE order_id IN ({codec.marks(len(part))})",
            tuple(state.order_id for state in part),
        )
    executemany(
        connection,
        f"INSERT INTO order_lines ({', '.join(_LINE_COLUMNS)}) VALUES ({codec.marks(len(_LINE_COLUMNS))})",
        [row for state in relined for row in _line_rows(state)],
    )


def _lines_changed(old: OrderState | None, new: OrderState) -> bool:
    if old is None:
        return bool(new.lines)
    return old.lines != new.lines or old.returns != new.returns


def _state_from_row(codec: Codec, row: Sequence[Any], lines: Sequence[OrderLine]) -> OrderState:
    return OrderState(
        order_id=row[0],
        customer_id=row[1],
        anonymous_id=row[2],
        placed_at=codec.read_timestamp(row[3]),
        currency=row[4],
        total_minor=row[5],
        discount_minor=row[6],
        coupon=row[7],
        lines=tuple(lines),
        paid_at=codec.read_timestamp(row[8]),
        cancelled_at=codec.read_timestamp(row[9]),
        returns=tuple(ReturnLine(*item) for item in codec.read_json(row[11])),
    )


def _order_values(codec: Codec, state: OrderState, stamp: Any) -> tuple[Any, ...]:
    return (
        state.order_id,
        state.customer_id,
        state.anonymous_id,
        codec.timestamp(state.placed_at),
        state.currency,
        state.total_minor,
        state.discount_minor,
        state.coupon,
        codec.timestamp(state.paid_at),
        codec.timestamp(state.cancelled_at),
        state.returned_minor,
        codec.json([_returned_json(line) for line in state.returns]),
        state.status,
        stamp,
    )


def _returned_json(line: ReturnLine) -> list[Any]:
    """``[sku, quantity, price_minor]``, and the order line it names when it names one."""
    sent: list[Any] = [line.sku, line.quantity, line.price_minor]
    return sent if line.line_no is None else [*sent, line.line_no]


def _line_rows(state: OrderState) -> list[tuple[Any, ...]]:
    return [
        (state.order_id, number, line.sku, line.quantity, line.price_minor, returned)
        for number, (line, returned) in enumerate(zip(state.lines, state.returned_per_line, strict=True), 1)
    ]


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


def reassign_orders(connection: Connection, from_customer: str, to_customer: str) -> None:
    """A merge: ``from_customer``'s orders become ``to_customer``'s."""
    connection.execute(
        update(orders).where(orders.c.customer_id == from_customer).values(customer_id=to_customer)
    )


def forget_orders(connection: Connection, customer_ids: Sequence[str] | None = None) -> None:
    """Delete the orders (and their lines) of these customers, or every order, before they are
    folded again from the log."""
    if customer_ids is None:
        connection.execute(delete(order_lines))
        connection.execute(delete(orders))
        return
    for part in chunks(customer_ids):
        owned = select(orders.c.order_id).where(orders.c.customer_id.in_(part))
        connection.execute(delete(order_lines).where(order_lines.c.order_id.in_(owned)))
        connection.execute(delete(orders).where(orders.c.customer_id.in_(part)))
