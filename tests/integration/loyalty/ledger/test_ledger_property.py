"""Random streams of accruals (pending or not, expiring or not), redemptions, partial returns,
cancellations, cancelled redemptions, adjustments, nightly runs and clock moves, in any order and
with repeated sources, on the real store: after every step each balance equals the sum of its
entries and of its lots, no part of it is negative, no lot gave more than it had, a rebuild changes
nothing, and under the block policy no debt ever appears."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from tests.integration.loyalty.ledger.support import add_customers, assert_ledger_holds, count

from retentio.loyalty import (
    DebtPolicy,
    EntryKind,
    LedgerError,
    do_accrue,
    do_adjust,
    do_nightly,
    do_rebuild_balances,
    do_redeem,
    do_reverse,
    get_balance,
)

T0 = datetime(2026, 6, 1, tzinfo=UTC)
CUSTOMERS = ["ann", "bob"]


@dataclass(frozen=True)
class Accrue:
    customer: str
    order: int
    points: int
    pending_days: int
    expiry_days: int | None


@dataclass(frozen=True)
class Redeem:
    customer: str
    checkout: int
    points: int


@dataclass(frozen=True)
class SpendAll:
    """A redemption of everything available: what makes a later return meet spent points."""

    customer: str
    checkout: int


@dataclass(frozen=True)
class Return:
    customer: str
    order: int
    share: Fraction
    key: int


@dataclass(frozen=True)
class CancelRedemption:
    customer: str
    checkout: int
    key: int


@dataclass(frozen=True)
class Adjust:
    customer: str
    points: int
    key: int


@dataclass(frozen=True)
class Night:
    pass


@dataclass(frozen=True)
class Wait:
    hours: int


# Mostly one customer and few orders and checkouts; returns and cancellations mostly name what was
# accrued or redeemed before (drawn from what the stream did so far), sometimes anything at all.
customer = st.sampled_from(["ann", "ann", "ann", "bob"])
accrue = st.builds(
    Accrue,
    customer,
    st.integers(0, 3),
    st.integers(1, 200),
    st.sampled_from([0, 0, 3]),
    st.one_of(st.none(), st.integers(1, 20)),
)
redeem = st.one_of(
    st.builds(Redeem, customer, st.integers(0, 3), st.integers(1, 80)),
    st.builds(SpendAll, customer, st.integers(0, 3)),
)
shares = st.sampled_from([Fraction(1, 3), Fraction(1, 2), Fraction(1)])
adjust = st.builds(
    Adjust, customer, st.integers(-100, 100).filter(lambda points: points != 0), st.integers(0, 3)
)
wait = st.builds(Wait, st.integers(1, 24 * 6))


def next_step(accrued: list[tuple[str, int]], redeemed: list[tuple[str, int]]) -> st.SearchStrategy[object]:
    choices: list[st.SearchStrategy[object]] = [
        accrue,
        accrue,
        redeem,
        redeem,
        adjust,
        st.just(Night()),
        wait,
    ]
    if accrued:
        choices += [
            st.builds(
                lambda known, share, key: Return(known[0], known[1], share, key),
                st.sampled_from(accrued),
                shares,
                st.integers(0, 3),
            )
        ] * 3
    if redeemed:
        choices.append(
            st.builds(
                lambda known, key: CancelRedemption(known[0], known[1], key),
                st.sampled_from(redeemed),
                st.integers(0, 2),
            )
        )
    choices.append(st.builds(Return, customer, st.integers(0, 3), shares, st.integers(0, 3)))
    return st.one_of(choices)


def apply(engine: Engine, programme: str, policy: DebtPolicy, step: object, now: datetime) -> None:
    with engine.begin() as connection:
        match step:
            case Accrue(who, order, points, pending_days, expiry_days):
                active_at = now + timedelta(days=pending_days)
                expires_at = None if expiry_days is None else active_at + timedelta(days=expiry_days)
                do_accrue(
                    connection,
                    programme,
                    who,
                    points,
                    f"order:{order}:base",
                    now,
                    active_at=active_at,
                    expires_at=expires_at,
                )
            case Redeem(who, checkout, points):
                do_redeem(connection, programme, who, points, f"checkout:{checkout}", now)
            case SpendAll(who, checkout):
                available = get_balance(connection, programme, who).available
                if available:
                    do_redeem(connection, programme, who, available, f"checkout:{checkout}", now)
            case Return(who, order, share, key):
                do_reverse(
                    connection,
                    programme,
                    who,
                    (EntryKind.ACCRUAL, f"order:{order}:base"),
                    f"return:{order}:{key}",
                    now,
                    share=share,
                    policy=policy,
                )
            case CancelRedemption(who, checkout, key):
                do_reverse(
                    connection,
                    programme,
                    who,
                    (EntryKind.REDEMPTION, f"checkout:{checkout}"),
                    f"cancel:{key}",
                    now,
                )
            case Adjust(who, points, key):
                do_adjust(
                    connection, programme, who, points, f"adjustment:{key}", now, actor="admin", reason="test"
                )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), st.sampled_from(list(DebtPolicy)))
def test_the_ledger_holds_under_any_stream(engine: Engine, data: st.DataObject, policy: DebtPolicy) -> None:
    # a programme of its own per example keeps the examples apart on one store
    programme = f"p{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        known = count(connection, "SELECT COUNT(*) FROM customers")
    if not known:
        add_customers(engine, CUSTOMERS, T0)
    now = T0
    accrued: list[tuple[str, int]] = []
    redeemed: list[tuple[str, int]] = []
    for _ in range(data.draw(st.integers(5, 40), label="steps")):
        step = data.draw(next_step(accrued, redeemed))
        if isinstance(step, Wait):
            now += timedelta(hours=step.hours)
            continue
        if isinstance(step, Night):
            do_nightly(engine, now)
        else:
            # spending more than there is, reversing what is not there: refused whole
            with contextlib.suppress(LedgerError):
                apply(engine, programme, policy, step, now)
                if isinstance(step, Accrue):
                    accrued.append((step.customer, step.order))
                if isinstance(step, Redeem | SpendAll):
                    redeemed.append((step.customer, step.checkout))
        assert_ledger_holds(engine, programme)
    with engine.begin() as connection:
        assert do_rebuild_balances(connection, now) == []
        if policy is DebtPolicy.BLOCK:
            debts = count(
                connection,
                "SELECT COUNT(*) FROM loyalty_entries WHERE programme = :p AND debt <> 0",
                p=programme,
            )
            assert debts == 0
