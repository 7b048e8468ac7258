"""The state of one order as a fold of its events, and what it contributes to its customer's profile.

The state is a function of the *set* of events seen, not of their arrival order: payment, cancellation
and returns may all arrive before the order itself. That is what lets incremental profiles equal a
rebuild from the log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from retentio.events import Event, OrderPlaced, OrderReturned
from retentio.orders.lines import OrderLine, ReturnLine, returned_units, returned_value
from retentio.types.money import to_minor


@dataclass(frozen=True, slots=True)
class OrderState:
    order_id: str
    customer_id: str | None = None
    anonymous_id: str | None = None
    placed_at: datetime | None = None
    currency: str | None = None
    total_minor: int = 0
    discount_minor: int = 0
    coupon: str | None = None
    lines: tuple[OrderLine, ...] = ()
    paid_at: datetime | None = None
    cancelled_at: datetime | None = None
    returns: tuple[ReturnLine, ...] = ()

    @property
    def counted(self) -> bool:
        """An order counts towards the customer's figures once placed and unless cancelled."""
        return self.placed_at is not None and self.cancelled_at is None

    @property
    def returned_per_line(self) -> tuple[int, ...]:
        """Units taken back from each of ``lines``."""
        return returned_units(self.lines, self.returns)

    @property
    def returned_minor(self) -> int:
        """Money returned: each unit at its own line's price once the order is known, else as sent."""
        if self.placed_at is None:
            return sum(line.quantity * line.price_minor for line in self.returns)
        return returned_value(self.lines, self.returned_per_line, self.total_minor)

    @property
    def status(self) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if self.returns and self.placed_at is not None:
            bought = sum(line.quantity for line in self.lines)
            returned = sum(self.returned_per_line)
            return "returned" if returned >= bought else "partially_returned"
        if self.paid_at is not None:
            return "paid"
        return "placed" if self.placed_at is not None else "pending"


def apply_event(state: OrderState, event: Event, default_currency: str) -> OrderState:
    """Fold one order event into the state (events are deduplicated before they get here)."""
    state = _with_subject(state, event)
    if event.type == "order_placed":
        assert isinstance(event.typed, OrderPlaced)
        return _placed(state, event.typed, event.occurred_at)
    if event.type == "order_paid":
        return replace(state, paid_at=_earliest(state.paid_at, event.occurred_at))
    if event.type == "order_cancelled":
        return replace(state, cancelled_at=_earliest(state.cancelled_at, event.occurred_at))
    if event.type == "order_returned":
        assert isinstance(event.typed, OrderReturned)
        currency = state.currency or default_currency
        lines = tuple(
            ReturnLine(item.sku, item.quantity, to_minor(item.price, currency), item.line_no)
            for item in event.typed.items
        )
        return replace(state, returns=tuple(sorted(state.returns + lines, key=_key)))
    raise ValueError(f"{event.type} is not an order event")


def _with_subject(state: OrderState, event: Event) -> OrderState:
    """The first event that names a customer (or visitor) decides whom the order belongs to."""
    if state.customer_id is not None and state.anonymous_id is not None:
        return state
    return replace(
        state,
        customer_id=state.customer_id or event.customer_id,
        anonymous_id=state.anonymous_id or event.anonymous_id,
    )


def _placed(state: OrderState, placed: OrderPlaced, at: datetime) -> OrderState:
    if state.placed_at is not None and state.placed_at <= at:
        return state  # a second "placed" for the same order keeps the first one's facts
    currency = placed.currency
    return replace(
        state,
        placed_at=at,
        currency=currency,
        total_minor=to_minor(placed.total, currency),
        discount_minor=to_minor(placed.discount, currency),
        coupon=placed.coupon,
        lines=tuple(
            OrderLine(item.sku, item.quantity, to_minor(item.price, currency)) for item in placed.items
        ),
    )


def _earliest(current: datetime | None, at: datetime) -> datetime:
    return at if current is None or at < current else current


def _key(line: ReturnLine) -> tuple[str, int, int, int]:
    return (line.sku, line.quantity, line.price_minor, line.line_no or 0)


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one order adds to its customer's profile; profiles change by differences of these."""

    orders: int = 0
    revenue_minor: int = 0
    coupon_orders: int = 0
    cancellations: int = 0
    returns: int = 0
    returned_minor: int = 0
    placed_at: datetime | None = None
    categories: Mapping[str, int] = field(default_factory=dict)


NOTHING = Contribution()


def contribution(state: OrderState, categories: Mapping[str, str]) -> Contribution:
    cancellations = 1 if state.cancelled_at is not None else 0
    if not state.counted:
        return Contribution(cancellations=cancellations)
    returned = state.returned_minor
    by_category: Counter[str] = Counter()
    for line in state.lines:
        category = categories.get(line.sku)
        if category:
            by_category[category] += 1
    return Contribution(
        orders=1,
        revenue_minor=state.total_minor - returned,
        coupon_orders=1 if state.coupon else 0,
        cancellations=cancellations,
        returns=1 if returned else 0,
        returned_minor=returned,
        placed_at=state.placed_at,
        categories=dict(by_category),
    )
