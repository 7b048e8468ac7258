"""Any stream of spends, top-ups, refunds and expiries, with repeats: the balance is never negative,
equals the sum of the entries, each source lands once, and no order gets back more than it spent."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from retentio.loyalty import (
    GiftCardChange,
    GiftCardError,
    do_expire,
    do_issue,
    do_refund,
    do_spend,
    do_top_up,
    get_gift_card,
    gift_card_entries,
    rebuilt_balance,
)

ACTIONS = {"spend": do_spend, "top_up": do_top_up, "refund": do_refund}
steps = st.lists(
    st.tuples(
        st.sampled_from(["spend", "top_up", "refund", "expire"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2),
        st.integers(0, 6),  # the source: small, so repeats happen
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_the_balance_is_the_sum_of_the_entries_and_never_negative(
    engine: Engine, now: datetime, actions: list[tuple[str, Decimal, int]]
) -> None:
    with engine.begin() as connection:
        card = do_issue(connection, Decimal("500.00"), "RUB", "sale", now, expires_at=now + timedelta(days=3))
    for step, (action, amount, source) in enumerate(actions):
        at = now + timedelta(hours=step * 4)
        try:
            with engine.begin() as connection:
                if action == "expire":
                    do_expire(connection, at)
                else:
                    order = f"order-{source % 3}"  # spends and refunds of three orders
                    change = GiftCardChange(amount, "RUB", f"{action}-{source}", order)
                    ACTIONS[action](connection, card.code, change, at)
        except GiftCardError:
            pass  # refused: nothing may have changed, which the sums below check
        with engine.connect() as connection:
            balance = get_gift_card(connection, card.code).balance
            entries = gift_card_entries(connection, card.code)
            assert balance >= 0
            assert balance == rebuilt_balance(connection, card.code) == entries[-1].balance_after
            assert len({entry.source_key for entry in entries}) == len(entries)
            for order in {entry.order_id for entry in entries if entry.kind == "refunded"}:
                spent = -sum(e.amount for e in entries if e.order_id == order and e.kind == "spent")
                refunded = sum(e.amount for e in entries if e.order_id == order and e.kind == "refunded")
                assert refunded <= spent
