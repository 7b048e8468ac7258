"""Which lines of an order a return takes back, and what it is worth (pure)."""

from collections import Counter
from random import Random

from hypothesis import given
from hypothesis import strategies as st

from retentio.orders.lines import OrderLine, ReturnLine, returned_units, returned_value

SKUS = ("A", "B", "C")

order_lines = st.lists(
    st.builds(OrderLine, st.sampled_from(SKUS), st.integers(1, 5), st.integers(0, 100_000)),
    min_size=1,
    max_size=8,
)
return_lines = st.lists(
    st.builds(
        ReturnLine,
        st.sampled_from(SKUS),
        st.integers(1, 9),
        st.integers(0, 100_000),
        st.none() | st.integers(1, 9),
    ),
    max_size=6,
)


def test_a_named_line_gives_first_and_the_rest_comes_from_the_earliest_lines() -> None:
    # given
    lines = [OrderLine("A", 2, 1000), OrderLine("B", 1, 550), OrderLine("A", 3, 400), OrderLine("A", 1, 0)]
    returns = [ReturnLine("A", 2, 400, line_no=4), ReturnLine("A", 2, 999)]
    # when
    units = returned_units(lines, returns)
    # then: line 4 holds one unit, the other named one and the two unnamed ones take lines 1 and 3
    assert units == (2, 0, 1, 1)
    assert returned_value(lines, units, total_minor=3750) == 2 * 1000 + 400 + 0


def test_a_name_that_points_at_no_line_of_the_sku_is_ignored() -> None:
    # given
    lines = [OrderLine("A", 1, 1000), OrderLine("B", 1, 550)]
    returns = [ReturnLine("A", 1, 1000, line_no=2), ReturnLine("B", 1, 550, line_no=7)]
    # when / then
    assert returned_units(lines, returns) == (1, 1)


def test_units_beyond_what_was_bought_are_not_returned() -> None:
    # given
    lines = [OrderLine("A", 2, 1000)]
    # when
    units = returned_units(lines, [ReturnLine("A", 5, 1000, line_no=1), ReturnLine("Z", 1, 99)])
    # then
    assert units == (2,)
    assert returned_value(lines, units, total_minor=2000) == 2000


@given(order_lines, return_lines, st.data())
def test_a_return_is_its_units_at_their_own_lines_prices_and_never_exceeds_the_order(
    lines: list[OrderLine], returns: list[ReturnLine], data: st.DataObject
) -> None:
    # given: the order's total is what its lines charge, less any discount
    charged = sum(line.quantity * line.price_minor for line in lines)
    discount = data.draw(st.integers(0, charged))
    # when
    units = returned_units(lines, returns)
    value = returned_value(lines, units, charged - discount)
    # then
    worth = sum(taken * line.price_minor for line, taken in zip(lines, units, strict=True))
    assert value == min(worth, charged - discount) <= charged - discount
    assert returned_value(lines, units, charged) == worth <= charged
    assert all(0 <= taken <= line.quantity for line, taken in zip(lines, units, strict=True))


@given(order_lines, return_lines, st.randoms())
def test_every_unit_bought_is_returned_once_whatever_order_the_returns_came_in(
    lines: list[OrderLine], returns: list[ReturnLine], shuffler: Random
) -> None:
    # given
    shuffled = list(returns)
    shuffler.shuffle(shuffled)
    bought: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for line in lines:
        bought[line.sku] += line.quantity
    for returned in returns:
        asked[returned.sku] += returned.quantity
    # when
    units = returned_units(lines, returns)
    # then
    assert returned_units(lines, shuffled) == units
    per_sku: Counter[str] = Counter()
    for line, taken in zip(lines, units, strict=True):
        per_sku[line.sku] += taken
    assert {sku: per_sku[sku] for sku in SKUS} == {sku: min(asked[sku], bought[sku]) for sku in SKUS}
