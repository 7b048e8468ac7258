"""Loading, saving and rebuilding ``customer_signals``.

The reaction loads and saves signals for every batch, so those two go straight to the driver
(``db.codec``) like the profiles do; the rebuild from the log is set-based over events and orders.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from retentio.catalog import products
from retentio.db.batches import chunks
from retentio.db.codec import Codec, codec_for, executemany, fetchall
from retentio.events import events
from retentio.orders import order_lines, orders
from retentio.segments.inputs import Signals, instant, to_datetime
from retentio.segments.signals import (
    DETRACTOR_SCORE,
    LOW_RATING,
    SIGNAL_EVENT_TYPES,
    OrderFacts,
    with_orders,
)

FIELDS = Signals._fields
_TIMES = frozenset(name for name in FIELDS if name.endswith("_at"))
_TIME_INDEXES = tuple(index for index, name in enumerate(FIELDS) if name in _TIMES)


def load_signals(connection: Connection, customer_ids: Sequence[str]) -> dict[str, Signals]:
    """Stored signals of the customers that have a row (the others have the defaults)."""
    codec = codec_for(connection)
    found: dict[str, Signals] = {}
    for part in chunks(sorted(set(customer_ids))):
        sql = (
            f"SELECT customer_id, {', '.join(FIELDS)} FROM customer_signals "
            f"WHERE customer_id IN ({codec.marks(len(part))})"
        )
        for row in fetchall(connection, sql, part):
            found[row[0]] = signals_from_row(codec, row[1:])
    return found


def signals_from_row(codec: Codec, values: Sequence[Any]) -> Signals:
    named = dict(zip(FIELDS, values, strict=True))
    for name in _TIMES:
        named[name] = instant(codec.read_timestamp(named[name]))
    return Signals(**named)


def save_signals(
    connection: Connection, signals: Mapping[str, Signals], now: datetime, existing: Collection[str] = ()
) -> None:
    """Store ``signals``; rows of ``existing`` customers are known to be there (a plain update)."""
    codec = codec_for(connection)
    names = (*FIELDS, "updated_at")
    stamp = codec.timestamp(now)
    ordered = sorted(signals)
    assignments = ", ".join(f"{name} = {codec.mark}" for name in names)
    executemany(
        connection,
        f"UPDATE customer_signals SET {assignments} WHERE customer_id = {codec.mark}",
        [(*_values(codec, signals[cid]), stamp, cid) for cid in ordered if cid in existing],
    )
    updates = ", ".join(f"{name} = excluded.{name}" for name in names)
    executemany(
        connection,
        f"INSERT INTO customer_signals (customer_id, {', '.join(names)})"
        f" VALUES ({codec.marks(len(names) + 1)}) ON CONFLICT (customer_id) DO UPDATE SET {updates}",
        [(cid, *_values(codec, signals[cid]), stamp) for cid in ordered if cid not in existing],
    )


def _values(codec: Codec, signals: Signals) -> list[Any]:
    values: list[Any] = list(signals)
    for index in _TIME_INDEXES:
        if values[index] is not None:
            values[index] = stored_second(codec, values[index])
    return values


def stored_second(codec: Codec, value: int | None) -> Any:
    """A whole epoch second as the driver stores a ``UtcDateTime`` (same text as ``Codec.timestamp``)."""
    if value is None:
        return None
    if codec.is_postgres:
        return to_datetime(value)
    return time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(value))


def order_facts(connection: Connection, customer_ids: Sequence[str]) -> dict[str, list[OrderFacts]]:
    """Every order of these customers, with its margin from the catalogue's margin shares."""
    result: dict[str, list[OrderFacts]] = defaultdict(list)
    for part in chunks(sorted(set(customer_ids))):
        margins = _line_margins(connection, part)
        query = select(
            orders.c.customer_id,
            orders.c.order_id,
            orders.c.placed_at,
            orders.c.paid_at,
            orders.c.cancelled_at,
            orders.c.discount_minor,
            orders.c.coupon,
        ).where(orders.c.customer_id.in_(part))
        for row in connection.execute(query):
            line_margin = margins.get(row.order_id)
            margin = None if line_margin is None else _rounded(line_margin - row.discount_minor)
            result[row.customer_id].append(
                OrderFacts(
                    row.placed_at, row.paid_at, row.cancelled_at, row.discount_minor, row.coupon, margin
                )
            )
    return result


def _line_margins(connection: Connection, customer_ids: Sequence[str]) -> dict[str, Decimal]:
    query = (
        select(
            order_lines.c.order_id,
            order_lines.c.quantity,
            order_lines.c.returned_quantity,
            order_lines.c.price_minor,
            products.c.margin,
        )
        .join(orders, orders.c.order_id == order_lines.c.order_id)
        .join(products, products.c.sku == order_lines.c.sku)
        .where(orders.c.customer_id.in_(customer_ids), products.c.margin.is_not(None))
    )
    margins: dict[str, Decimal] = defaultdict(Decimal)
    for row in connection.execute(query):
        kept = row.quantity - row.returned_quantity
        margins[row.order_id] += Decimal(kept * row.price_minor) * Decimal(row.margin)
    return margins


def _rounded(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def refresh_order_signals(
    connection: Connection, current: dict[str, Signals], customer_ids: Sequence[str], payment_days: int
) -> None:
    """Recompute the order-derived part of ``current`` (in place) for ``customer_ids``."""
    facts = order_facts(connection, customer_ids)
    for customer_id in customer_ids:
        base = current.get(customer_id, Signals())
        current[customer_id] = with_orders(base, facts.get(customer_id, []), payment_days)


def rebuild_signals(
    connection: Connection, customer_ids: Sequence[str], now: datetime, payment_days: int
) -> dict[str, Signals]:
    """Recompute the signals of ``customer_ids`` from the log and the orders, and store them."""
    rebuilt: dict[str, Signals] = {}
    for part in chunks(sorted(set(customer_ids))):
        current = {cid: Signals() for cid in part}
        for row in connection.execute(_event_signals_query(part)):
            current[row.customer_id] = _from_event_row(row)
        refresh_order_signals(connection, current, list(part), payment_days)
        save_signals(connection, current, now)
        rebuilt.update(current)
    return rebuilt


def _event_signals_query(customer_ids: Sequence[str]) -> Any:
    rating = events.c.properties["rating"].as_float()
    score = events.c.properties["score"].as_float()
    negative = or_(
        and_(events.c.type == "review_submitted", rating <= LOW_RATING),
        and_(events.c.type == "nps_answered", score <= DETRACTOR_SCORE),
    )
    return (
        select(
            events.c.customer_id,
            func.sum(case((events.c.type == "message_complained", 1), else_=0)).label("complaints"),
            func.sum(case((negative, 1), else_=0)).label("negative"),
        )
        .where(events.c.customer_id.in_(customer_ids), events.c.type.in_(sorted(SIGNAL_EVENT_TYPES)))
        .group_by(events.c.customer_id)
    )


def _from_event_row(row: Any) -> Signals:
    return Signals(
        complaints=int(row.complaints or 0),
        negative_feedback=int(row.negative or 0),
    )
