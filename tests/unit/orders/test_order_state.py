from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.helpers import event, item

from retentio.events.envelope import validate_event
from retentio.orders.state import NOTHING, OrderState, apply_event, contribution

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _fold(*raw: dict) -> OrderState:
    state = OrderState("o-1")
    for document in raw:
        state = apply_event(state, validate_event(document, AT + timedelta(days=99), timedelta(0)), "RUB")
    return state


PLACED = event(
    "p",
    "order_placed",
    AT,
    "c",
    order_id="o-1",
    items=[item("A", 2, "10.00"), item("B", 1, "5.50")],
    total="25.50",
    currency="RUB",
    coupon="SPRING",
)
RETURN_A = event(
    "r", "order_returned", AT + timedelta(days=3), "c", order_id="o-1", items=[item("A", 5, "99")]
)
CANCEL = event("x", "order_cancelled", AT + timedelta(days=1), "c", order_id="o-1")


def test_returns_are_capped_at_what_was_bought_and_priced_as_paid() -> None:
    state = _fold(RETURN_A, PLACED)
    assert state.returned_minor == 2000
    assert state.status == "partially_returned"
    share = contribution(state, {"A": "coffee"})
    assert (share.orders, share.revenue_minor, share.returns, share.coupon_orders) == (1, 550, 1, 1)
    assert share.categories == {"coffee": 1}


def test_fold_does_not_depend_on_arrival_order() -> None:
    assert (
        _fold(PLACED, CANCEL, RETURN_A) == _fold(RETURN_A, CANCEL, PLACED) == _fold(CANCEL, RETURN_A, PLACED)
    )


def test_a_cancelled_or_unplaced_order_counts_only_as_a_cancellation() -> None:
    assert contribution(_fold(CANCEL), {}) == contribution(_fold(PLACED, CANCEL), {})
    assert contribution(_fold(CANCEL), {}).cancellations == 1
    assert contribution(OrderState("o-1"), {}) == NOTHING


def test_money_keeps_minor_units_exactly() -> None:
    state = _fold(PLACED)
    assert (state.total_minor, state.currency) == (2550, "RUB")
    assert sum(line.quantity * line.price_minor for line in state.lines) == int(Decimal("25.50") * 100)


def _placed_with(*items: dict, total: str) -> dict:
    return event("p", "order_placed", AT, "c", order_id="o-1", items=list(items), total=total, currency="GBP")


def _returned(event_id: str, *items: dict) -> dict:
    return event(event_id, "order_returned", AT + timedelta(days=1), "c", order_id="o-1", items=list(items))


def test_units_of_a_sku_on_several_lines_are_priced_at_their_own_lines() -> None:
    # given: Online Retail's order 548813, four manual lines of one SKU, all taken back
    placed = _placed_with(
        item("M", 1, "162.60"), item("M", 1, "2382.92"), item("M", 1, "239.30"), item("M", 1, "1252.95"),
        total="4037.77",
    )  # fmt: skip
    # when
    state = _fold(placed, _returned("r1", item("M", 3, "2382.92")), _returned("r2", item("M", 1, "2053.07")))
    # then: the whole order, not 4 × the last line's price (5,011.80)
    assert state.returned_minor == 403777
    assert state.status == "returned"
    assert contribution(state, {}).revenue_minor == 0


def test_a_return_without_a_line_takes_the_earliest_line_first() -> None:
    # given
    placed = _placed_with(item("A", 2, "10.00"), item("A", 3, "4.00"), total="32.00")
    # when
    state = _fold(placed, _returned("r", item("A", 3, "4.00")))
    # then: 2 × 10.00 + 1 × 4.00
    assert state.returned_minor == 2400
    assert state.status == "partially_returned"


def test_a_return_naming_a_line_is_priced_at_that_line() -> None:
    # given
    placed = _placed_with(item("A", 1, "10.00"), item("A", 2, "7.00"), item("A", 1, "4.00"), total="28.00")
    returned = {"sku": "A", "quantity": 2, "price": "7.00", "line_no": 2}
    # when
    state = _fold(placed, _returned("r", returned))
    # then
    assert state.returned_minor == 1400


def test_a_return_is_never_worth_more_than_the_order() -> None:
    # given: a discounted order (2 × 1290.00 less 200.00), returned whole
    placed = _placed_with(item("COFFEE", 2, "1290.00"), total="2380.00")
    # when
    state = _fold(placed, _returned("r", item("COFFEE", 2, "1290.00")))
    # then
    assert state.returned_minor == 238000
    assert contribution(state, {}).revenue_minor == 0
