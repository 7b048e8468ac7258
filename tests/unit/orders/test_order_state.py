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
