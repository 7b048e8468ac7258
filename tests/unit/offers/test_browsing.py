"""Carts and views that become offers, as pure decisions: the window after the latest activity, what
an order ends, and the one offer each wait turns into."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from retentio.offers.occasions.browsing import (
    Placed,
    after_cart,
    after_orders,
    after_view,
    missed,
    offer_if_due,
)
from retentio.offers.occasions.settings import OccasionSettings

SETTINGS = OccasionSettings()
T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_cart_change_waits_the_cart_window_from_the_latest_change() -> None:
    first = after_cart(None, "c1", ["A", "B"], T0, SETTINGS)
    later = after_cart(first, "c1", ["A"], T0 + 10 * timedelta(minutes=1), SETTINGS)
    assert later is not None and later.skus == ("A",)
    assert later.since == T0
    assert later.due_at == T0 + timedelta(minutes=70)
    assert offer_if_due(later, T0 + timedelta(minutes=69)) is None
    offer = offer_if_due(later, T0 + timedelta(minutes=70))
    assert offer is not None
    assert offer.type == "offer_due"
    assert offer.properties["occasion"] == "cart" and offer.properties["skus"] == ["A"]
    assert offer.event_id == f"occ:offer_due:cart:c1:{(T0 + timedelta(minutes=10)).isoformat()}"


def test_an_emptied_cart_waits_for_nothing_and_an_older_change_is_ignored() -> None:
    pending = after_cart(None, "c1", ["A"], T0, SETTINGS)
    assert after_cart(pending, "c1", [], T0 + HOUR, SETTINGS) is None
    assert after_cart(pending, "c1", ["Z"], T0 - HOUR, SETTINGS) == pending


def test_any_order_after_the_cart_began_ends_it_but_one_before_does_not() -> None:
    pending = after_cart(None, "c1", ["A"], T0, SETTINGS)
    assert after_orders(pending, [Placed(T0 - HOUR, frozenset({"A"}))]) == pending
    assert after_orders(pending, [Placed(T0 + HOUR, frozenset({"OTHER"}))]) is None


def test_views_gather_latest_first_and_an_order_takes_off_only_what_it_held() -> None:
    pending = None
    for minute, sku in enumerate(["A", "B", "A", "C"]):
        pending = after_view(pending, "c1", sku, T0 + minute * timedelta(minutes=1), SETTINGS)
    assert pending is not None
    assert pending.skus == ("C", "A", "B")
    assert pending.due_at == T0 + timedelta(minutes=3) + 24 * HOUR
    left = after_orders(pending, [Placed(T0 + HOUR, frozenset({"A", "X"}))])
    assert left is not None and left.skus == ("C", "B")
    assert after_orders(left, [Placed(T0 + HOUR, frozenset({"B", "C"}))]) is None


def test_views_keep_at_most_the_configured_number_of_products() -> None:
    settings = OccasionSettings.model_validate({"viewed": {"max_skus": 2}})
    pending = None
    for minute, sku in enumerate(["A", "B", "C"]):
        pending = after_view(pending, "c1", sku, T0 + minute * timedelta(minutes=1), settings)
    assert pending is not None and pending.skus == ("C", "B")


def test_an_older_view_arriving_late_does_not_move_the_window() -> None:
    pending = after_view(None, "c1", "A", T0, SETTINGS)
    late = after_view(pending, "c1", "B", T0 - HOUR, SETTINGS)
    assert pending is not None and late is not None
    assert late.skus == ("A", "B")
    assert late.due_at == pending.due_at
    assert late.since == T0 - HOUR


activity = st.lists(
    st.tuples(
        st.sampled_from(["cart", "view", "order"]),
        st.integers(min_value=0, max_value=3 * 24 * 60),  # minutes after T0, in any order
        st.lists(st.sampled_from("ABCDEFGHIJKL"), max_size=4),
    ),
    max_size=30,
)


@given(activity)
def test_whatever_arrives_a_wait_stays_well_formed(steps: list[tuple[str, int, list[str]]]) -> None:
    settings = OccasionSettings.model_validate({"viewed": {"max_skus": 5}})
    cart = viewed = None
    for kind, minute, skus in steps:
        at = T0 + minute * timedelta(minutes=1)
        if kind == "cart":
            cart = after_cart(cart, "c1", skus, at, settings)
        elif kind == "view" and skus:
            viewed = after_view(viewed, "c1", skus[0], at, settings)
        elif kind == "order":
            placed = [Placed(at, frozenset(skus))]
            cart, viewed = after_orders(cart, placed), after_orders(viewed, placed)
    for wait, window in ((cart, settings.cart_window), (viewed, settings.viewed_window)):
        if wait is None:
            continue
        assert wait.skus
        assert len(set(wait.skus)) == len(wait.skus)
        assert wait.occasion == "cart" or len(wait.skus) <= 5
        assert wait.since <= wait.last_at
        assert wait.due_at == wait.last_at + window
        assert offer_if_due(wait, wait.due_at - timedelta(microseconds=1)) is None
        assert offer_if_due(wait, wait.due_at) is not None
        # an order after the latest activity holding every product leaves nothing to offer
        assert after_orders(wait, [Placed(wait.last_at, frozenset(wait.skus))]) is None


def test_a_wait_that_ended_longer_ago_than_the_sweep_catches_up_is_missed() -> None:
    pending = after_cart(None, "c1", ["A"], T0, SETTINGS)
    assert pending is not None
    assert not missed(pending, pending.due_at + timedelta(days=2), SETTINGS)
    assert missed(pending, pending.due_at + timedelta(days=2, seconds=1), SETTINGS)
