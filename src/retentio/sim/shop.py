"""The demo shop's loyalty: its programmes opened on the first simulated day for customers who join
them, most of its customers joining when they sign up, and its checkout in front of every order —
the customer's coupon and, for a member with points, points paying part of the order — the way a
real shop calls Retentio's checkout before it sends ``order_placed``.

The simulator decides what customers buy; this decides what they pay: an order's ``total`` becomes
what the checkout leaves to pay, and its ``discount`` what coupons and points took off.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from retentio.loyalty import (
    CheckoutError,
    CheckoutLine,
    CheckoutRequest,
    CouponRules,
    Discount,
    LoyaltyConfig,
    PoolDefinition,
    ReserveRequest,
    calculate_checkout,
    do_create_pool,
    do_generate_codes,
    do_reserve_checkout,
    pool_codes,
)
from retentio.sim.config import SimConfig
from retentio.sim.customers import SimCustomer

JOIN_SHARE = 0.7  # customers who join the programme when they sign up
SPEND_SHARE = 0.6  # orders of a member with enough points that pay with as many as they may

Event = dict[str, Any]


def demo_programmes(loyalty: LoyaltyConfig, start: datetime) -> LoyaltyConfig:
    """The programmes as the demo's shop runs them: opened on the first simulated day (unless they
    say when) for the customers who join them, so that members and the others can be compared."""
    programmes = {
        key: programme.model_copy(update={"starts_at": programme.starts_at or start, "enrolment": "on_join"})
        for key, programme in loyalty.programmes.items()
    }
    return loyalty.model_copy(update={"programmes": programmes})


def _chance(seed: int, *parts: str) -> float:
    """A stable draw in [0, 1) for one decision, the same on every run with the same seed."""
    return zlib.crc32("|".join((str(seed), *parts)).encode()) / 2**32


@dataclass
class DemoShop:
    config: SimConfig
    loyalty: LoyaltyConfig
    codes: dict[str, str] = field(default_factory=dict)  # the simulator's coupon name → a real code

    def open(self, engine: Engine, now: datetime) -> None:
        """The shop's coupons: one multi-use code per coupon the simulated customers use."""
        with engine.begin() as connection:
            for name, percent in self.config.coupons:
                rules = CouponRules(
                    self.config.currency, Discount(percent=Decimal(percent)), uses_per_code=None
                )
                pool = do_create_pool(connection, PoolDefinition(f"demo {name}", rules), now)
                do_generate_codes(connection, pool, 1)
                [(code, _owner, _uses)] = list(pool_codes(connection, pool))
                self.codes[name] = code

    def joins(self, customers: Sequence[SimCustomer], now: datetime) -> list[Event]:
        """``loyalty_joined`` for the customers of the day who sign up for the programme."""
        return [
            {
                "event_id": f"join-{customer.customer_id}",
                "type": "loyalty_joined",
                "customer_id": customer.customer_id,
                "timestamp": max(customer.signed_up_at, now).isoformat(),
                "properties": {},
            }
            for customer in customers
            if _chance(self.config.seed, "join", customer.customer_id) < JOIN_SHARE
        ]

    def check_out(self, engine: Engine, events: list[Event], now: datetime) -> list[Event]:
        """The day's events with every order priced by the checkout and its holds reserved under
        the order's id (its ``order_placed`` commits them)."""
        return [
            self._order(engine, event, now) if event["type"] == "order_placed" else event for event in events
        ]

    def _order(self, engine: Engine, event: Event, now: datetime) -> Event:
        properties = event["properties"]
        customer_id = event.get("customer_id")
        coupon = properties.get("coupon")
        lines = tuple(
            CheckoutLine(item["sku"], item["quantity"], Decimal(item["price"]))
            for item in properties["items"]
        )
        codes = (self.codes[coupon],) if coupon in self.codes else ()
        request = CheckoutRequest(customer_id, properties["currency"], lines, codes)
        order_id = properties["order_id"]
        with engine.connect() as connection:
            most = calculate_checkout(connection, request, self.loyalty, now).points.most
        spends = customer_id is not None and _chance(self.config.seed, "spend", order_id) < SPEND_SHARE
        reserve = ReserveRequest(
            _with_points(request, most if spends else 0), f"demo:{order_id}", order_id, order_id=order_id
        )
        try:
            # A transaction of its own: a refused reservation leaves nothing held behind.
            with engine.begin() as connection:
                reserved = do_reserve_checkout(connection, reserve, self.loyalty, now)
        except CheckoutError:
            return event  # the shop takes the order at its own price
        answer = reserved.calculation
        priced = {key: value for key, value in properties.items() if key not in ("coupon", "discount")}
        priced["total"] = answer["to_pay"]
        taken = Decimal(answer["subtotal"]) - Decimal(answer["to_pay"])
        if taken:
            priced["discount"] = str(taken)
        applied = [offer["code"] for offer in answer["applied"] if offer.get("code")]
        if applied:
            priced["coupon"] = applied[0]
        return {**event, "properties": priced}


def _with_points(request: CheckoutRequest, points: int) -> CheckoutRequest:
    return CheckoutRequest(
        customer_id=request.customer_id,
        currency=request.currency,
        lines=request.lines,
        codes=request.codes,
        points=points,
    )
