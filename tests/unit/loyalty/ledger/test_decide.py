"""The ledger's pure decisions: which lots a redemption takes, what a return takes back and from
where, what time does to lots."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.loyalty.ledger.decide import (
    Lot,
    due_at,
    points_to_return,
    repayment,
    split_return,
    take_points,
)
from retentio.loyalty.ledger.errors import InvalidPoints, NotEnoughPoints
from retentio.loyalty.ledger.model import DebtPolicy, LotRow

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def test_a_redemption_takes_the_soonest_expiring_lots_first_and_never_expiring_ones_last() -> None:
    # given lots expiring in 30 days, never, and in 10 days
    lots = [Lot(1, 50, T0 + timedelta(days=30)), Lot(2, 50, None), Lot(3, 50, T0 + timedelta(days=10))]
    # when 120 points are spent
    takes = take_points(lots, 120)
    # then the 10-day lot goes first, then the 30-day one, then the one that never expires
    assert takes == [(3, 50), (1, 50), (2, 20)]


def test_a_redemption_beyond_the_lots_is_refused_naming_points() -> None:
    with pytest.raises(NotEnoughPoints, match="points: 101 asked, only 100 available"):
        take_points([Lot(1, 100, None)], 101)


@pytest.mark.parametrize("points", [0, -5])
def test_a_redemption_of_no_or_negative_points_is_refused(points: int) -> None:
    with pytest.raises(InvalidPoints, match="points: must be positive"):
        take_points([Lot(1, 100, None)], points)


@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=4_000),
)
def test_no_lot_gives_more_than_it_has_and_the_takes_add_up(remaining: list[int], points: int) -> None:
    lots = [Lot(index, left, T0 + timedelta(days=index % 3)) for index, left in enumerate(remaining)]
    if points > sum(remaining):
        with pytest.raises(NotEnoughPoints):
            take_points(lots, points)
        return
    takes = take_points(lots, points)
    assert sum(taken for _, taken in takes) == points
    assert all(0 < taken <= remaining[lot] for lot, taken in takes)


def test_returning_an_order_in_parts_takes_back_what_returning_it_whole_would() -> None:
    # given an accrual of 101 points returned in three thirds
    returned = 0
    for _ in range(3):
        returned += points_to_return(101, returned, Fraction(1, 3))
    # then exactly the 101 points are taken back, and nothing more on a fourth return
    assert returned == 101
    assert points_to_return(101, returned, Fraction(1, 3)) == 0


@given(st.integers(min_value=1, max_value=10_000), st.lists(st.fractions(0, 1), min_size=1, max_size=6))
def test_returns_never_take_back_more_than_was_accrued(amount: int, shares: list[Fraction]) -> None:
    returned = 0
    for share in shares:
        if share == 0:
            continue
        returned += points_to_return(amount, returned, share)
        assert 0 <= returned <= amount


@pytest.mark.parametrize("share", [Fraction(0), Fraction(-1, 2), Fraction(3, 2)])
def test_a_share_outside_zero_to_one_is_refused(share: Fraction) -> None:
    with pytest.raises(InvalidPoints, match="share: must be above 0 and at most 1"):
        points_to_return(100, 0, share)


def test_a_return_of_spent_points_becomes_debt_or_a_written_off_shortfall_by_policy() -> None:
    # given a lot with 10 of its 100 points left and another lot with 30 available
    others = [Lot(2, 30, None)]
    # when its 100 points are returned
    as_debt = split_return(100, 10, others, DebtPolicy.DEBT)
    blocked = split_return(100, 10, others, DebtPolicy.BLOCK)
    # then the lot's 10 and the other lot's 30 go first, and the 60 spent are a debt or written off
    assert (as_debt.from_lot, as_debt.from_others, as_debt.debt, as_debt.shortfall) == (10, [(2, 30)], 60, 0)
    assert (blocked.from_lot, blocked.from_others, blocked.debt, blocked.shortfall) == (10, [(2, 30)], 0, 60)


def test_a_new_accrual_pays_the_debt_first() -> None:
    assert repayment(debt=60, accrued=50) == 50
    assert repayment(debt=60, accrued=100) == 60
    assert repayment(debt=0, accrued=100) == 0


def test_time_activates_pending_lots_and_expires_only_what_is_left_of_available_ones() -> None:
    # given a pending lot due now, a spent-down lot past expiry, and a lot not due yet
    lots = [
        LotRow(1, 100, 100, 0, 0, T0, False, T0 + timedelta(days=30)),
        LotRow(2, 100, 40, 0, 0, T0 - timedelta(days=60), True, T0 - timedelta(seconds=1)),
        LotRow(3, 100, 100, 0, 0, T0 + timedelta(days=1), False, None),
    ]
    # when time catches up at T0
    due = due_at(lots, T0)
    # then lot 1 activates with its 100, lot 2 loses its 40 (not the 100 it started with), lot 3 waits
    assert due.activations == [(1, 100)]
    assert due.expiries == [(2, 40, 0)]
    assert [(lot.id, lot.activated, lot.remaining) for lot in due.lots] == [
        (1, True, 100),
        (2, True, 0),
        (3, False, 100),
    ]
