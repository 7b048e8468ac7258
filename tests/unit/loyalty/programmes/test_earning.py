"""Points for an order: the rule each line follows, the tier's multiplier, one rounding per order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.loyalty import EarningLine, Level, Programme, points_for_order, spread_order_discount

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SILVER = Level(id="silver", threshold=Decimal(30000), multiplier=Decimal("1.5"))


def test_the_worked_example_of_the_docs(club: Programme) -> None:
    # given the docs' order: coffee, a discounted mug, cigarettes, for a Silver member
    lines = [
        EarningLine("COF-1", 2, Decimal("750.00"), "coffee"),
        EarningLine("MUG-7", 1, Decimal("1199.00"), "kitchen", discount=Decimal("120.00")),
        EarningLine("TOB-3", 1, Decimal("250.00"), "tobacco"),
    ]
    # when it earns
    earned = points_for_order(club, lines, SILVER, NOW)
    # then line by line as docs/loyalty-programmes.md shows it
    assert [(line.rule, line.paid, line.base_points, line.points) for line in earned.lines] == [
        ("category", Decimal("1500.00"), Fraction(300), Fraction(450)),
        ("base", Decimal("1079.00"), Fraction("107.9"), Fraction("161.85")),
        ("excluded_category", Decimal("250.00"), Fraction(0), Fraction(0)),
    ]
    assert (earned.exact, earned.points, earned.tier) == (Fraction("611.85"), 611, "silver")
    # pending 14 days, then expiring at the end of the fourth quarter after that one (Moscow time)
    assert earned.activates_at == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert earned.expires_at == datetime(2027, 12, 31, 21, 0, tzinfo=UTC)


def test_discounted_lines_earn_nothing_when_the_programme_says_so(club: Programme) -> None:
    strict = club.model_copy(update={"earning": club.earning.model_copy(update={"discounted_lines": "none"})})
    lines = [
        EarningLine("COF-1", 2, Decimal("750.00"), "coffee"),
        EarningLine("MUG-7", 1, Decimal("1199.00"), "kitchen", discount=Decimal("120.00")),
    ]
    earned = points_for_order(strict, lines, None, NOW)
    assert [line.rule for line in earned.lines] == ["category", "discounted"]
    assert earned.points == 300


def test_an_excluded_sku_earns_nothing_whatever_its_category(club: Programme) -> None:
    earned = points_for_order(club, [EarningLine("GIFT-1000", 1, Decimal(1000), "coffee")], None, NOW)
    assert (earned.lines[0].rule, earned.points) == ("excluded_sku", 0)


def test_rounding_is_once_per_order_so_splitting_lines_loses_nothing(club: Programme) -> None:
    # three lines of 6 ₽ each earn 0.6 points: 1.8 together
    lines = [EarningLine(f"SKU-{n}", 1, Decimal(6)) for n in range(3)]
    assert points_for_order(club, lines, None, NOW).points == 1


def test_cashback_pays_its_share_back_at_the_point_s_value(club: Programme) -> None:
    # 5 % of 1,234.56 ₽ is 61.728 ₽; a point is worth 0.50 ₽: 123.456 points, 123 in the lot
    cashback = club.model_copy(
        update={
            "point_value_minor": 50,
            "earning": club.earning.model_copy(
                update={"points_per_unit": None, "cashback_percent": Decimal(5)}
            ),
        }
    )
    earned = points_for_order(cashback, [EarningLine("MUG-7", 1, Decimal("1234.56"))], None, NOW)
    assert (earned.exact, earned.points) == (Fraction("123.456"), 123)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (EarningLine("A", 0, Decimal(1)), r"line 1 \(A\): quantity must be positive"),
        (EarningLine("A", 1, Decimal(-1)), r"line 1 \(A\): price must not be negative"),
        (
            EarningLine("A", 1, Decimal(10), discount=Decimal(11)),
            r"line 1 \(A\): discount 11 must be between 0",
        ),
    ],
)
def test_a_bad_line_is_refused_naming_it(club: Programme, line: EarningLine, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        points_for_order(club, [line], None, NOW)


def test_an_order_discount_is_shared_in_proportion_to_the_lines() -> None:
    lines = [EarningLine("A", 1, Decimal("100.00")), EarningLine("B", 2, Decimal("100.00"))]
    shared = spread_order_discount(lines, Decimal("100.00"), "RUB")
    assert [line.discount for line in shared] == [Decimal("33.33"), Decimal("66.67")]


@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(0, 100_000)), min_size=1, max_size=10),
    st.integers(0, 100),
)
def test_a_shared_discount_adds_up_exactly_and_never_exceeds_a_line(
    lines_in_kopecks: list[tuple[int, int]], percent: int
) -> None:
    lines = [
        EarningLine(f"S{n}", quantity, Decimal(price).scaleb(-2))
        for n, (quantity, price) in enumerate(lines_in_kopecks)
    ]
    total = sum((line.paid for line in lines), Decimal(0))
    discount = (total * percent / 100).quantize(Decimal("0.01"), rounding="ROUND_FLOOR")
    shared = spread_order_discount(lines, discount, "RUB")
    assert sum((line.discount for line in shared), Decimal(0)) == discount
    assert all(0 <= line.discount <= line.quantity * line.price for line in shared)
