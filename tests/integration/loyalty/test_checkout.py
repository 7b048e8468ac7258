"""Checkout reservations on a real database: everything held or nothing, commit once, release and
refund give back exactly what was taken (points into the lots they came from), the order events
commit and refund through the ``checkout`` consumer, and the timeout's due work releases."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, text
from tests.integration.loyalty.checkout_fixture import CONFIG, open_shop, reserve_request, state_of

from retentio.clock import FixedClock
from retentio.events import Event, append_new_events, drain
from retentio.loyalty import (
    CheckoutConflict,
    CheckoutConsumer,
    CheckoutError,
    checkout_kinds,
    do_commit_checkout,
    do_release_checkout,
    do_reserve_checkout,
    get_checkout_reservation,
)
from retentio.loyalty.checkout.tables import checkout_reservations
from retentio.schedule import Registry, Runner, SqlQueue

ORDER = {"items": [{"sku": "MUG", "quantity": 2, "price": "450.00"}], "total": "900.00", "currency": "RUB"}
BEFORE = {"uses": {}, "code_uses": 0, "lots": [(400, 400), (600, 600)], "points": 1000}


def test_a_reservation_holds_the_code_the_points_and_the_gift_card(engine: Engine, now: datetime) -> None:
    # given
    shop = open_shop(engine, now)
    # when
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    # then 2,200 ₽ less 10 % is 1,980; 500 points pay 500 ₽ and the card the 1,480 ₽ left
    assert held.state == "reserved" and held.points == 500
    assert held.calculation["to_pay"] == "0.00"
    assert held.calculation["gift_cards"][0]["amount"] == "1480.00"
    assert state_of(engine, shop) == {
        "uses": {"reserved": 1},
        "code_uses": 1,
        "lots": [(400, 0), (600, 500)],  # the soonest-expiring lot first
        "points": 500,
        "card": (Decimal("2000.00"), Decimal("1480.00")),
    }


def test_release_gives_back_exactly_what_was_held_once(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    # when released twice
    with engine.begin() as connection:
        first = do_release_checkout(connection, held.id, "released", now)
        second = do_release_checkout(connection, held.id, "released", now)
    # then the second did nothing, and the points are back in the lots they came from
    assert (first, second) == (True, False)
    assert state_of(engine, shop) == BEFORE | {
        "uses": {"released": 1},
        "card": (Decimal("2000.00"), Decimal("0.00")),
    }
    # and a commit after the release is refused, naming the state
    with engine.begin() as connection, pytest.raises(CheckoutConflict) as refused:
        do_commit_checkout(connection, held.id, "order-1", now)
    assert (refused.value.field, refused.value.rule) == ("reservation", "released")


def test_commit_spends_the_holds_once_and_refuses_another_order(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    for _ in range(3):
        with engine.begin() as connection:
            committed = do_commit_checkout(connection, held.id, "order-1", now)
    assert committed.state == "committed" and committed.order_id == "order-1"
    assert state_of(engine, shop) | {"lots": None} == {
        "uses": {"committed": 1},
        "code_uses": 1,
        "lots": None,
        "points": 500,
        "card": (Decimal("520.00"), Decimal("0.00")),
    }
    with engine.begin() as connection, pytest.raises(CheckoutConflict) as refused:
        do_commit_checkout(connection, held.id, "order-2", now)
    assert refused.value.rule == "committed"
    with engine.begin() as connection, pytest.raises(CheckoutConflict) as released:
        do_release_checkout(connection, held.id, "released", now)
    assert released.value.rule == "committed"


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"points": 900}, "points", "max_share"),
        ({"points": 1001}, "points", "balance"),
        ({"codes": ("SPR-2222-2222-2222",)}, "codes[0]", "unknown_code"),
        ({"gift_cards": ()}, None, None),  # the control: without the card it is reserved
    ],
)
def test_a_refused_reservation_holds_nothing(
    engine: Engine, now: datetime, changes: dict[str, object], field: str | None, rule: str | None
) -> None:
    shop = open_shop(engine, now)
    if field is None:
        with engine.begin() as connection:
            do_reserve_checkout(connection, reserve_request(shop, **changes), CONFIG, now)
        assert state_of(engine, shop)["code_uses"] == 1
        return
    with pytest.raises(CheckoutError) as refused, engine.begin() as connection:
        do_reserve_checkout(connection, reserve_request(shop, **changes), CONFIG, now)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert state_of(engine, shop) == BEFORE | {"card": (Decimal("2000.00"), Decimal("0.00"))}
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(checkout_reservations)).scalar_one() == 0


def test_an_expired_code_is_refused_by_its_rule(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE coupon_pools SET valid_until = :t"), {"t": now - timedelta(seconds=1)}
        )
    with pytest.raises(CheckoutError) as refused, engine.begin() as connection:
        do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    assert (refused.value.field, refused.value.rule) == ("codes[0]", "expired")


def test_the_same_request_key_reserves_once_and_is_not_reused_for_another_cart(
    engine: Engine, now: datetime
) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        first = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    with engine.begin() as connection:
        again = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now + timedelta(seconds=5))
    assert again == first
    assert state_of(engine, shop)["points"] == 500
    with pytest.raises(CheckoutError) as refused, engine.begin() as connection:
        do_reserve_checkout(connection, reserve_request(shop, points=100), CONFIG, now)
    assert (refused.value.field, refused.value.rule) == ("request_key", "reused")


def _order_event(event_id: str, type_name: str, properties: dict[str, object], at: datetime) -> Event:
    return Event(event_id, type_name, "anna", None, at, properties, None)


def _append(engine: Engine, events: list[Event], now: datetime) -> None:
    with engine.begin() as connection:
        append_new_events(connection, events, now)
    drain(engine, [CheckoutConsumer()], FixedClock(now))


def test_an_order_delivered_ten_times_commits_once_and_its_cancellation_refunds(
    engine: Engine, now: datetime
) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    placed = {"order_id": "order-1", "checkout_id": held.id, **ORDER}
    # when the order arrives ten times (ten event ids, as a shop retrying with new ids would send)
    _append(engine, [_order_event(f"placed-{n}", "order_placed", placed, now) for n in range(10)], now)
    # then it is committed once: one gift card spend, one coupon use
    with engine.connect() as connection:
        assert get_checkout_reservation(connection, held.id).state == "committed"
        spends = connection.execute(text("SELECT count(*) FROM gift_card_entries WHERE kind = 'spent'"))
        assert spends.scalar_one() == 1
    assert state_of(engine, shop)["card"] == (Decimal("520.00"), Decimal("0.00"))
    # when the order is cancelled (twice)
    cancelled = {"order_id": "order-1"}
    _append(engine, [_order_event(f"cancel-{n}", "order_cancelled", cancelled, now) for n in range(2)], now)
    # then the code's use, the points (into their lots) and the card's money are back, once
    with engine.connect() as connection:
        assert get_checkout_reservation(connection, held.id).state == "refunded"
    assert state_of(engine, shop) == BEFORE | {
        "uses": {"released": 1},
        "card": (Decimal("2000.00"), Decimal("0.00")),
    }


def test_an_order_named_by_its_order_id_at_reserve_time_commits(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)
    request = reserve_request(shop)
    with engine.begin() as connection:
        held = do_reserve_checkout(
            connection, type(request)(request.checkout, "k", "cart-1", order_id="order-9"), CONFIG, now
        )
    placed = {"order_id": "order-9", **ORDER}
    _append(engine, [_order_event("placed", "order_placed", placed, now)], now)
    with engine.connect() as connection:
        assert get_checkout_reservation(connection, held.id).state == "committed"


def test_the_timeout_releases_and_a_late_order_is_refused_with_an_event(
    engine: Engine, now: datetime
) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    # when the worker runs after the hold (15 minutes) and its grace
    later = held.expires_at + timedelta(minutes=3)
    Runner(SqlQueue(engine), Registry(checkout_kinds()), FixedClock(later)).run_all_due()
    # then everything is back
    assert state_of(engine, shop)["points"] == 1000
    assert state_of(engine, shop)["card"] == (Decimal("2000.00"), Decimal("0.00"))
    # and an order placed after the hold names it in vain: a checkout_commit_refused event says why
    placed = {"order_id": "order-1", "checkout_id": held.id, **ORDER}
    _append(engine, [_order_event("late", "order_placed", placed, later)], later)
    with engine.connect() as connection:
        assert get_checkout_reservation(connection, held.id).state == "released"
        refused = connection.execute(
            text("SELECT properties FROM events WHERE type = 'checkout_commit_refused'")
        ).scalar_one()
    assert "released" in str(refused)


def test_an_order_placed_before_the_end_commits_when_read_a_little_later(
    engine: Engine, now: datetime
) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    placed_at = held.expires_at - timedelta(seconds=10)
    read_at = held.expires_at + timedelta(minutes=1)  # within the grace: the timeout has not run
    placed = {"order_id": "order-1", "checkout_id": str(held.id), **ORDER}
    _append(engine, [_order_event("placed", "order_placed", placed, placed_at)], read_at)
    with engine.connect() as connection:
        assert get_checkout_reservation(connection, held.id).state == "committed"


def test_orders_without_a_reservation_pass_by(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    events = [
        _order_event("other", "order_placed", {"order_id": "other-1", **ORDER}, now),
        _order_event("other-x", "order_cancelled", {"order_id": "other-1"}, now),
        _order_event("odd", "order_placed", {"order_id": "o-2", "checkout_id": "abc", **ORDER}, now),
    ]
    _append(engine, events, now)
    with engine.connect() as connection:
        assert get_checkout_reservation(connection, held.id).state == "reserved"
        written = connection.execute(text("SELECT count(*) FROM events WHERE type LIKE 'checkout_%'"))
        assert written.scalar_one() == 1  # the reservation's own checkout_reserved
