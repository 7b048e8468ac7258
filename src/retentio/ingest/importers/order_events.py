"""Order events in the API envelope, as the order importers send them (prices as decimal strings)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    quantity: int
    price: Decimal
    line_no: int | None = None  # on a returned line: the order line it takes back (1 = the first)


def money(value: Decimal) -> str:
    """A decimal string without exponent (``1E+2`` → ``100``)."""
    return format(value, "f")


def lines_total(lines: Sequence[Line]) -> Decimal:
    return sum((line.price * line.quantity for line in lines), Decimal(0))


def order_placed(
    event_id: str,
    customer_id: str,
    at: datetime,
    order_id: str,
    lines: Sequence[Line],
    currency: str,
    *,
    total: Decimal | None = None,
    coupon: str | None = None,
) -> dict[str, Any]:
    """``total`` defaults to the sum of the lines."""
    properties: dict[str, Any] = {
        "order_id": order_id,
        "items": _items(lines),
        "total": money(lines_total(lines) if total is None else total),
        "currency": currency,
    }
    if coupon:
        properties["coupon"] = coupon
    return _envelope(event_id, "order_placed", customer_id, at, properties)


def order_returned(
    event_id: str, customer_id: str, at: datetime, order_id: str, lines: Sequence[Line]
) -> dict[str, Any]:
    properties = {"order_id": order_id, "items": _items(lines)}
    return _envelope(event_id, "order_returned", customer_id, at, properties)


def order_changed(event_id: str, type_: str, customer_id: str, at: datetime, order_id: str) -> dict[str, Any]:
    """``order_paid`` or ``order_cancelled``."""
    return _envelope(event_id, type_, customer_id, at, {"order_id": order_id})


def _items(lines: Sequence[Line]) -> list[dict[str, Any]]:
    return [_item(line) for line in lines]


def _item(line: Line) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": line.sku, "quantity": line.quantity, "price": money(line.price)}
    if line.line_no is not None:
        item["line_no"] = line.line_no
    return item


def _envelope(
    event_id: str, type_: str, customer_id: str, at: datetime, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": type_,
        "customer_id": customer_id,
        "timestamp": at,
        "properties": properties,
    }
