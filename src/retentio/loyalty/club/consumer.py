"""The club's consumer of the log (``loyalty.club``): a paid order of the club product adds a term
(its quantity times ``term_months``); a cancelled one, or one whose club line came back, ends it; a
customer who is not a member and whose counted orders (or spend) within the window reach the
threshold earns a term. Backfilled events record terms but announce nothing.

Set-based where volume is: per batch, one query finds the orders holding the club product and one
the buying customers' counts, so an import of ordinary orders costs two queries a batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from retentio.db.batches import chunks
from retentio.events import ORDER_EVENT_TYPES, Event, LoggedEvent
from retentio.loyalty.club.reads import club_members
from retentio.loyalty.club.service import do_end_club_term, do_join_club
from retentio.loyalty.programmes.settings import LoyaltyConfig, Membership, Programme
from retentio.orders import OrderState, load_orders, order_lines, orders
from retentio.types.money import to_minor

CLUB_CONSUMER = "loyalty.club"


@dataclass(frozen=True, slots=True)
class ClubConsumer:
    config: LoyaltyConfig
    name: str = CLUB_CONSUMER

    @property
    def event_types(self) -> frozenset[str] | None:
        return ORDER_EVENT_TYPES

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        by_order: dict[str, list[Event]] = defaultdict(list)
        for logged in batch:
            event = logged.event
            if not event.derived and event.type in ORDER_EVENT_TYPES:
                by_order[str(event.properties["order_id"])].append(event)
        if not by_order:
            return
        for programme in self.config.programmes.values():
            if programme.membership is not None:
                _follow_club_orders(connection, programme, by_order, now)
                _earn(connection, programme, by_order, now)


def _follow_club_orders(
    connection: Connection, programme: Programme, by_order: dict[str, list[Event]], now: datetime
) -> None:
    settings = programme.membership
    assert settings is not None
    if settings.sku is None:
        return
    holding = _orders_with(connection, settings.sku, sorted(by_order))
    states = load_orders(connection, holding)
    for order_id in holding:
        state = states.get(order_id)
        if state is not None and state.customer_id is not None:
            historical = all(event.historical for event in by_order[order_id])
            _follow(connection, programme, settings, state, historical, now)


def _follow(
    connection: Connection,
    programme: Programme,
    settings: Membership,
    state: OrderState,
    historical: bool,
    now: datetime,
) -> None:
    assert state.customer_id is not None
    source = f"order:{state.order_id}"
    bought = [index for index, line in enumerate(state.lines) if line.sku == settings.sku]
    returned = state.returned_per_line
    if state.cancelled_at is not None or any(returned[index] for index in bought):
        reason = "order_cancelled" if state.cancelled_at is not None else "order_returned"
        do_end_club_term(connection, programme, source, reason, now, historical=historical)
    elif state.paid_at is not None:
        quantity = sum(state.lines[index].quantity for index in bought)
        do_join_club(
            connection,
            programme,
            state.customer_id,
            "paid",
            source,
            state.paid_at,
            now,
            months=settings.term_months * quantity,
            historical=historical,
        )


def _earn(
    connection: Connection, programme: Programme, by_order: dict[str, list[Event]], now: datetime
) -> None:
    """Customers of this batch's live orders who reach the threshold and are not members earn a term
    (its source is their latest order in the batch: the same batch read again earns nothing more)."""
    settings = programme.membership
    assert settings is not None
    if settings.earned_orders is None and settings.earned_spend is None:
        return
    latest: dict[str, tuple[datetime, str]] = {}
    for order_id, events in by_order.items():
        for event in events:
            if event.historical or event.customer_id is None:
                continue
            mark = (event.occurred_at, order_id)
            latest[event.customer_id] = max(latest.get(event.customer_id, mark), mark)
    if not latest:
        return
    members = club_members(connection, programme.id, latest, now)
    candidates = sorted(set(latest) - members)
    for customer_id in _reaching(connection, settings, programme.currency, candidates, now):
        at, order_id = latest[customer_id]
        do_join_club(connection, programme, customer_id, "earned", f"earned:{order_id}", at, now)


def _orders_with(connection: Connection, sku: str, order_ids: Sequence[str]) -> list[str]:
    found: set[str] = set()
    for part in chunks(order_ids):
        query = select(order_lines.c.order_id).where(
            order_lines.c.sku == sku, order_lines.c.order_id.in_(part)
        )
        found.update(connection.execute(query).scalars())
    return sorted(found)


def _reaching(
    connection: Connection, settings: Membership, currency: str, customer_ids: Sequence[str], now: datetime
) -> list[str]:
    """The customers whose counted orders placed within the window up to ``now`` reach the threshold."""
    since = now - timedelta(days=settings.earned_window_days)
    spend_needed = None if settings.earned_spend is None else to_minor(settings.earned_spend, currency)
    reaching = []
    for part in chunks(customer_ids):
        query = (
            select(
                orders.c.customer_id,
                func.count(),
                func.coalesce(func.sum(orders.c.total_minor - orders.c.returned_minor), 0),
            )
            .where(
                orders.c.customer_id.in_(part),
                orders.c.placed_at > since,
                orders.c.placed_at <= now,
                orders.c.cancelled_at.is_(None),
            )
            .group_by(orders.c.customer_id)
        )
        for customer_id, count, spend in connection.execute(query):
            by_count = settings.earned_orders is not None and count >= settings.earned_orders
            by_spend = spend_needed is not None and int(spend) >= spend_needed
            if by_count or by_spend:
                reaching.append(customer_id)
    return sorted(reaching)
