"""Random streams of shop events for the loyalty consumer: orders placed, cancelled and returned in
any order (a return or a cancellation may come before its order), each event possibly sent again
under its own id or another, points spent between them, the clock moving and the nightly work
running. The ledger's own property test drives the ledger directly; this one drives the consumer
through ingestion and checks what it makes of the orders: after every step each balance equals the
sum of its entries and of its lots and no part is negative; at most one accrual per order; a
cancelled order's points are all taken back; a returned share takes back exactly that share of the
points (rounded half up on the running total); under the block policy no debt appears; and a
rebuild changes nothing."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from tests.integration.loyalty.earning.support import (
    OPTIONS,
    cancelled,
    consume,
    placed,
    programme_config,
    returned,
)
from tests.integration.loyalty.ledger.support import assert_ledger_holds, count

from retentio.ingest import ingest_events
from retentio.loyalty import (
    DebtPolicy,
    NotEnoughPoints,
    UnknownCustomer,
    do_daily_earning,
    do_nightly,
    do_rebuild_balances,
    do_redeem,
)

T0 = datetime(2026, 6, 1, tzinfo=UTC)
PRICES = ("100", "999", "2500", "40000")


@dataclass(frozen=True)
class Place:
    customer: int
    order: int
    quantity: int
    price: str


@dataclass(frozen=True)
class Cancel:
    order: int


@dataclass(frozen=True)
class Return:
    order: int
    quantity: int


@dataclass(frozen=True)
class Resend:
    index: int
    new_id: bool


@dataclass(frozen=True)
class Spend:
    customer: int
    points: int


@dataclass(frozen=True)
class Wait:
    days: int


@dataclass(frozen=True)
class Night:
    pass


ORDERS = st.integers(0, 2)
PLACE = st.builds(Place, st.integers(0, 1), ORDERS, st.integers(2, 3), st.sampled_from(PRICES))
RETURN = st.builds(Return, ORDERS, st.integers(1, 2))
# Orders and returns drawn more often than the rest, so most examples return an order in parts.
STEPS = st.one_of(
    PLACE,
    PLACE,
    RETURN,
    RETURN,
    st.builds(Cancel, ORDERS),
    st.builds(Resend, st.integers(0, 50), st.booleans()),
    st.builds(Spend, st.integers(0, 1), st.integers(1, 3000)),
    st.builds(Wait, st.integers(1, 20)),
    st.just(Night()),
)


class Stream:
    """One example's shop: its programme, customers and orders are its own, so examples share a store."""

    def __init__(self, engine: Engine, policy: DebtPolicy) -> None:
        self.engine = engine
        self.tag = uuid.uuid4().hex[:10]
        self.programme = f"p{self.tag}"
        self.config = programme_config(f'debt_policy = "{policy.value}"', programme=self.programme)
        self.sent: list[dict[str, Any]] = []
        self.orders: dict[int, tuple[str, int, str]] = {}  # order -> customer, quantity, price
        self.now = T0
        self.serial = 0

    def customer(self, number: int) -> str:
        return f"{self.tag}-c{number}"

    def order_id(self, number: int) -> str:
        return f"{self.tag}-o{number}"

    def event_id(self) -> str:
        self.serial += 1
        return f"{self.tag}-e{self.serial}"

    def run(self, step: object) -> None:
        match step:
            case Place(customer, order, quantity, price):
                who = self.customer(customer)
                known = self.orders.setdefault(order, (who, quantity, price))
                self.send(
                    placed(self.event_id(), known[0], self.now, self.order_id(order), known[1], known[2])
                )
            case Cancel(order) if order in self.orders:
                self.send(cancelled(self.event_id(), self.orders[order][0], self.now, self.order_id(order)))
            case Return(order, quantity) if order in self.orders:
                who, _, price = self.orders[order]
                self.send(returned(self.event_id(), who, self.now, self.order_id(order), quantity, price))
            case Resend(index, new_id) if self.sent:
                again = dict(self.sent[index % len(self.sent)])
                if new_id:
                    again["event_id"] = self.event_id()
                self.send(again)
            case Spend(customer, points):
                with contextlib.suppress(NotEnoughPoints, UnknownCustomer), self.engine.begin() as connection:
                    do_redeem(
                        connection, self.programme, self.customer(customer), points, self.event_id(), self.now
                    )
            case Wait(days):
                self.now += timedelta(days=days)
            case Night():
                do_nightly(self.engine, self.now)
                with self.engine.begin() as connection:
                    do_daily_earning(connection, self.config, self.now)

    def send(self, event: dict[str, Any]) -> None:
        event = {**event, "timestamp": self.now.isoformat()}
        result = ingest_events(self.engine, [event], self.now, OPTIONS)
        assert not result.rejected, result.rejected
        self.sent.append(event)
        consume(self.engine, self.now, self.config)


def assert_orders_settled(engine: Engine, programme: str) -> None:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.order_id, p.points, o.total_minor, o.returned_minor, o.cancelled_at IS NOT NULL, "
                "  (SELECT COUNT(*) FROM loyalty_entries e WHERE e.programme = p.programme "
                "     AND e.kind = 'accrual' AND e.source = 'order:' || p.order_id), "
                # a point taken back from the lots, owed as a debt, or written off (``block``)
                "  (SELECT COALESCE(-SUM(e.available + e.pending - e.debt - e.shortfall), 0) "
                "     FROM loyalty_entries e "
                "     WHERE e.programme = p.programme AND e.kind IN ('reversal', 'debt') "
                "     AND e.source LIKE 'order:' || p.order_id || ':%') "
                "FROM loyalty_order_points p JOIN orders o ON o.order_id = p.order_id WHERE p.programme = :p"
            ),
            {"p": programme},
        ).all()
    for order_id, points, total, returned_minor, is_cancelled, accruals, taken_back in rows:
        assert accruals == (1 if points else 0), order_id
        if is_cancelled:
            assert taken_back == points, order_id
        elif total:
            share = Fraction(min(returned_minor, total), total)
            assert taken_back == int(share * points + Fraction(1, 2)), order_id


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(STEPS, min_size=8, max_size=30), st.sampled_from(list(DebtPolicy)))
def test_the_consumer_settles_any_stream_of_order_events(
    engine: Engine, steps: list[object], policy: DebtPolicy
) -> None:
    stream = Stream(engine, policy)
    for step in steps:
        stream.run(step)
        assert_ledger_holds(engine, stream.programme)
        assert_orders_settled(engine, stream.programme)
    with engine.begin() as connection:
        assert do_rebuild_balances(connection, stream.now) == []
        if policy is DebtPolicy.BLOCK:
            debts = count(
                connection,
                "SELECT COUNT(*) FROM loyalty_entries WHERE programme = :p AND debt <> 0",
                p=stream.programme,
            )
            assert debts == 0
