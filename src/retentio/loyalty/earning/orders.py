"""Orders' points: an order earns once, when it is first seen placed, as a lot pending for the
return window after it was placed; a cancellation takes the points back whole and each return the
share of the order's money newly returned. Each step has its own source key (``order:<id>``,
``order:<id>:cancelled``, ``order:<id>:returned:<money returned so far>``), so an order event sent
ten times, or a batch read again after a crash, changes nothing more.

What an order looks like is read from the orders area (its state folds every event of the order,
whatever their arrival order), so the consumer settles each order touched by a batch to that state."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, insert, select, update

from retentio.catalog import categories_of
from retentio.loyalty.earning.members import CHUNK, Member
from retentio.loyalty.earning.tables import loyalty_order_points
from retentio.loyalty.ledger.model import EntryKind
from retentio.loyalty.ledger.service import do_accrue, do_reverse
from retentio.loyalty.programmes.earning import EarningLine, points_for_order, spread_order_discount
from retentio.loyalty.programmes.settings import Programme
from retentio.orders import OrderState, load_orders, orders
from retentio.types.money import from_minor

ACTOR = "retentio"


@dataclass(frozen=True, slots=True)
class OrderPoints:
    """What an order earned in a programme and how much of its money returns took back so far."""

    order_id: str
    customer_id: str
    points: int
    total_minor: int
    reversed_minor: int
    cancelled: bool
    not_earned: str | None


def accrual_source(order_id: str) -> str:
    return f"order:{order_id}"


def do_settle_orders(
    connection: Connection,
    programme: Programme,
    order_ids: Collection[str],
    members: dict[str, Member],
    historical: Collection[str],
    start: datetime,
    now: datetime,
) -> set[str]:
    """Bring each order's points in line with its state; returns the customers whose orders changed.
    ``historical``: orders whose ``order_placed`` came in a backfill (they earn nothing)."""
    states = load_orders(connection, sorted(order_ids))
    known = _load(connection, programme.id, states)
    categories = _categories(connection, programme, [states[i] for i in states if i not in known])
    touched: set[str] = set()
    new: list[dict[str, object]] = []  # inserted together: an import brings thousands a batch
    for order_id in sorted(states):
        state = states[order_id]
        if state.customer_id is None or state.placed_at is None or state.currency != programme.currency:
            continue  # a return or payment before its order: settled when the order arrives
        record = known.get(order_id)
        if record is None:
            member = members.get(state.customer_id)
            earned = _earn(
                connection, programme, state, member, order_id in historical, start, categories, now
            )
            settled = _take_back(connection, programme, state, earned, now)
            new.append(_values(programme.id, state, settled, now))
        else:
            settled = _take_back(connection, programme, state, record, now)
            if settled != record:
                _store(connection, programme.id, settled, now)
        touched.add(state.customer_id)
    if new:
        connection.execute(insert(loyalty_order_points), new)
    return touched


def _earn(
    connection: Connection,
    programme: Programme,
    state: OrderState,
    member: Member | None,
    historical: bool,
    start: datetime,
    categories: dict[str, str],
    now: datetime,
) -> OrderPoints:
    assert state.customer_id is not None and state.placed_at is not None
    not_earned: str | None = None
    points = 0
    if historical:
        not_earned = "historical"
    elif state.placed_at < start:
        not_earned = "before_programme_start"
    elif member is None:
        not_earned = "not_a_member"
    elif programme.enrolment == "on_join" and state.placed_at < member.enrolled_at:
        # What a customer bought before joining is not rewarded (an order that enrolled them
        # automatically, or arrived late, is theirs as a member).
        not_earned = "before_joining"
    elif state.cancelled_at is not None:
        not_earned = "cancelled_before_earning"
    else:
        tier = None
        tiers = programme.tiers
        if (
            tiers is not None
            and member is not None
            and member.tier is not None
            and member.tier.level in tiers.ids
        ):
            tier = tiers.level(member.tier.level)
        earned = points_for_order(programme, _lines(state, categories), tier, state.placed_at)
        active = max(earned.activates_at, now)
        if earned.points > 0 and earned.expires_at is not None and earned.expires_at <= active:
            not_earned = "expired_before_it_arrived"
        elif earned.points > 0:
            do_accrue(
                connection,
                programme.id,
                state.customer_id,
                earned.points,
                accrual_source(state.order_id),
                now,
                active_at=earned.activates_at,
                expires_at=earned.expires_at,
                actor=ACTOR,
                reason="order placed",
            )
            points = earned.points
    return OrderPoints(
        state.order_id,
        state.customer_id,
        points,
        state.total_minor,
        0,
        state.cancelled_at is not None,
        not_earned,
    )


def _take_back(
    connection: Connection, programme: Programme, state: OrderState, record: OrderPoints, now: datetime
) -> OrderPoints:
    """Reverse what a cancellation or new returns take back; the record as it is after them."""
    if record.cancelled:
        return record
    returned = min(state.returned_minor, record.total_minor)
    if state.cancelled_at is not None:
        if record.points:
            source = f"{accrual_source(record.order_id)}:cancelled"
            _reverse(connection, programme, record, source, Fraction(1), now)
        return replace(record, cancelled=True)
    if returned > record.reversed_minor:
        if record.points and record.total_minor > 0:
            # The points the whole of what is returned so far takes back, less what earlier returns
            # took: returning an order in parts takes back exactly what returning it at once would.
            taken = _points_of(record, record.reversed_minor)
            due = _points_of(record, returned) - taken
            if due > 0:
                source = f"{accrual_source(record.order_id)}:returned:{returned}"
                _reverse(connection, programme, record, source, Fraction(due, record.points), now)
        return replace(record, reversed_minor=returned)
    return record


def _points_of(record: OrderPoints, returned_minor: int) -> int:
    """The order's points that ``returned_minor`` of its money stands for, rounded half up."""
    return int(Fraction(returned_minor, record.total_minor) * record.points + Fraction(1, 2))


def _reverse(
    connection: Connection,
    programme: Programme,
    record: OrderPoints,
    source: str,
    share: Fraction,
    now: datetime,
) -> None:
    do_reverse(
        connection,
        programme.id,
        record.customer_id,
        (EntryKind.ACCRUAL, accrual_source(record.order_id)),
        source,
        now,
        share=share,
        policy=programme.debt_policy,
        actor=ACTOR,
        reason="order cancelled" if source.endswith(":cancelled") else "order returned",
    )


def _store(connection: Connection, programme: str, record: OrderPoints, now: datetime) -> None:
    connection.execute(
        update(loyalty_order_points)
        .where(
            loyalty_order_points.c.programme == programme,
            loyalty_order_points.c.order_id == record.order_id,
        )
        .values(reversed_minor=record.reversed_minor, cancelled=int(record.cancelled), updated_at=now)
    )


def _values(programme: str, state: OrderState, record: OrderPoints, now: datetime) -> dict[str, object]:
    return {
        "programme": programme,
        "order_id": record.order_id,
        "customer_id": record.customer_id,
        "placed_at": state.placed_at,
        "points": record.points,
        "total_minor": record.total_minor,
        "reversed_minor": record.reversed_minor,
        "cancelled": int(record.cancelled),
        "not_earned": record.not_earned,
        "updated_at": now,
    }


def _lines(state: OrderState, categories: dict[str, str]) -> tuple[EarningLine, ...]:
    """The order's lines at what was paid for them: the gap between the lines and the order's total
    (its discount, points that paid part of it) is shared out over the lines."""
    currency = state.currency or ""
    lines = [
        EarningLine(line.sku, line.quantity, from_minor(line.price_minor, currency), categories.get(line.sku))
        for line in state.lines
    ]
    gap = sum(line.quantity * line.price_minor for line in state.lines) - state.total_minor
    if gap <= 0 or not lines:
        return tuple(lines)
    return spread_order_discount(lines, from_minor(gap, currency), currency)


def _categories(connection: Connection, programme: Programme, states: Sequence[OrderState]) -> dict[str, str]:
    """The catalogue's category of each SKU the orders to earn hold, when the programme's rules
    look at categories."""
    if not (programme.earning.categories or programme.earning.excluded_categories):
        return {}
    return categories_of(connection, sorted({line.sku for state in states for line in state.lines}))


def unsettled_orders(
    connection: Connection, programme: Programme, customer_ids: Collection[str]
) -> dict[str, str]:
    """The placed orders of ``customer_ids`` this programme has not settled yet (order id → customer):
    a visitor's orders, claimed by the customer at ``identify``."""
    wanted = sorted(set(customer_ids))
    settled = select(loyalty_order_points.c.order_id).where(
        loyalty_order_points.c.programme == programme.id,
        loyalty_order_points.c.order_id == orders.c.order_id,
    )
    found: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = connection.execute(
            select(orders.c.order_id, orders.c.customer_id).where(
                orders.c.customer_id.in_(wanted[start : start + CHUNK]),
                orders.c.placed_at.is_not(None),
                ~settled.exists(),
            )
        )
        found.update({row.order_id: row.customer_id for row in rows})
    return found


def _load(connection: Connection, programme: str, states: dict[str, OrderState]) -> dict[str, OrderPoints]:
    wanted: Sequence[str] = sorted(states)
    found: dict[str, OrderPoints] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = connection.execute(
            select(loyalty_order_points).where(
                loyalty_order_points.c.programme == programme,
                loyalty_order_points.c.order_id.in_(wanted[start : start + CHUNK]),
            )
        )
        for row in rows:
            found[row.order_id] = _record(row)
    return found


def _record(row: Any) -> OrderPoints:
    return OrderPoints(
        row.order_id,
        row.customer_id,
        int(row.points),
        int(row.total_minor),
        int(row.reversed_minor),
        bool(row.cancelled),
        row.not_earned,
    )
