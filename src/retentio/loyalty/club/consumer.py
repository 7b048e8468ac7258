"""The club's consumer of the log (``loyalty.club``): a paid order of the club product adds a term
(its quantity times ``term_months``); a cancelled one, or one whose club line came back, ends it; a
customer who is not a member and whose counted orders (or spend) within the window reach the
threshold earns a term. Backfilled events record terms but announce nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from retentio.events import ORDER_EVENT_TYPES, Event, LoggedEvent
from retentio.loyalty.club.service import do_end_club_term, do_join_club, get_membership
from retentio.loyalty.programmes.settings import LoyaltyConfig, Membership, Programme
from retentio.orders import OrderState, load_orders, orders
from retentio.types.money import to_minor

CLUB_CONSUMER = "loyalty.club"


@dataclass(frozen=True, slots=True)
class ClubConsumer:
    config: LoyaltyConfig
    name: str = CLUB_CONSUMER

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        programmes = [p for p in self.config.programmes.values() if p.membership is not None]
        by_order: dict[str, list[Event]] = defaultdict(list)
        for logged in batch:
            event = logged.event
            if not event.derived and event.type in ORDER_EVENT_TYPES:
                by_order[str(event.properties["order_id"])].append(event)
        if not programmes or not by_order:
            return
        states = load_orders(connection, sorted(by_order))
        for order_id in sorted(by_order):
            state = states.get(order_id)
            if state is None or state.customer_id is None:
                continue
            historical = all(event.historical for event in by_order[order_id])
            at = max(event.occurred_at for event in by_order[order_id])
            for programme in programmes:
                _follow(connection, programme, state, at, historical, now)


def _follow(
    connection: Connection,
    programme: Programme,
    state: OrderState,
    at: datetime,
    historical: bool,
    now: datetime,
) -> None:
    settings = programme.membership
    assert settings is not None and state.customer_id is not None
    source = f"order:{state.order_id}"
    bought = [index for index, line in enumerate(state.lines) if line.sku == settings.sku]
    if bought:
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
        return
    if historical or not state.counted or (settings.earned_orders is None and settings.earned_spend is None):
        return
    member = get_membership(connection, programme.id, state.customer_id)
    if member is not None and member.is_member(at):
        return
    if _earned(connection, settings, programme.currency, state.customer_id, at):
        do_join_club(connection, programme, state.customer_id, "earned", f"earned:{state.order_id}", at, now)


def _earned(
    connection: Connection, settings: Membership, currency: str, customer_id: str, at: datetime
) -> bool:
    """Whether the customer's counted orders within the window up to ``at`` reach the threshold."""
    since = at - timedelta(days=settings.earned_window_days)
    count, spend = connection.execute(
        select(
            func.count(), func.coalesce(func.sum(orders.c.total_minor - orders.c.returned_minor), 0)
        ).where(
            orders.c.customer_id == customer_id,
            orders.c.placed_at > since,
            orders.c.placed_at <= at,
            orders.c.cancelled_at.is_(None),
        )
    ).one()
    if settings.earned_orders is not None and count >= settings.earned_orders:
        return True
    return settings.earned_spend is not None and int(spend) >= to_minor(settings.earned_spend, currency)
