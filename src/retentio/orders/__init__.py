"""Orders and order lines, kept as the state of order events (placed, paid, cancelled, returned):
the pure fold of one order (``OrderState``, ``apply_event``) and what it adds to its customer's
profile, and their storage, loaded and saved in bulk.

This package is the area's facade: other areas import these names from ``retentio.orders``, never its
modules (``lint-imports`` checks it). ``orders`` and ``order_lines`` are its tables, for set-based
SQL reads. Each name loads its module on first use (``retentio.facade``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.orders.state import Contribution, OrderState, apply_event, contribution
    from retentio.orders.store import (
        counted_order_dates,
        forget_orders,
        load_orders,
        lock_orders,
        reassign_orders,
        save_orders,
    )
    from retentio.orders.tables import order_lines, orders

__all__ = [
    "Contribution",
    "OrderState",
    "apply_event",
    "contribution",
    "counted_order_dates",
    "forget_orders",
    "load_orders",
    "lock_orders",
    "order_lines",
    "orders",
    "reassign_orders",
    "save_orders",
]

_EXPORTS = {
    "retentio.orders.state": ["Contribution", "OrderState", "apply_event", "contribution"],
    "retentio.orders.store": [
        "counted_order_dates",
        "forget_orders",
        "load_orders",
        "lock_orders",
        "reassign_orders",
        "save_orders",
    ],
    "retentio.orders.tables": ["order_lines", "orders"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
