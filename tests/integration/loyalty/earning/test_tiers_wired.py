"""Tiers kept by the consumer and the daily work: an upgrade at the order that reaches the threshold
(which already earns at the new multiplier), a downgrade only after a review and its grace period,
each change a ``tier_changed`` event and a row of the tier history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, text
from tests.integration.loyalty.earning.support import (
    CONFIG,
    entries,
    member,
    placed,
    send,
    tier_events,
)

from retentio.loyalty import do_daily_earning


def _daily(engine: Engine, at: datetime) -> None:
    with engine.begin() as connection:
        do_daily_earning(connection, CONFIG, at)


def test_the_order_that_reaches_silver_upgrades_at_once_and_earns_double(
    engine: Engine, now: datetime
) -> None:
    first, second = now - timedelta(days=10), now - timedelta(hours=1)
    send(engine, [placed("e1", "ann", first, "o1", 1, "20000")], now)
    assert member(engine, "ann")["tier"] == "base"
    send(engine, [placed("e2", "ann", second, "o2", 1, "15000")], now)
    # then silver from the second order's instant, reviewed a year after it
    held = member(engine, "ann")
    assert (held["tier"], held["tier_since"], held["next_review"]) == (
        "silver",
        second,
        second.replace(year=2027),
    )
    accruals = {entry[1]: entry[3] for entry in entries(engine, "ann") if entry[1].startswith("order:")}
    assert accruals == {"order:o1": 2000, "order:o2": 3000}
    [event] = tier_events(engine, "ann")
    assert event == {
        "at": second,
        "derived": True,
        "programme": "club",
        "from": "base",
        "to": "silver",
        "reason": "upgrade",
    }


def test_a_downgrade_waits_for_the_review_and_its_grace_period(engine: Engine, now: datetime) -> None:
    # given ann silver since an order of 31,000 ₽ an hour ago
    bought = now - timedelta(hours=1)
    send(engine, [placed("e1", "ann", bought, "o1", 1, "31000")], now)
    review = bought.replace(year=2027)
    # when the daily work runs on the day before the review and on the day after it
    _daily(engine, review - timedelta(days=1))
    assert member(engine, "ann")["tier"] == "silver"
    _daily(engine, review + timedelta(days=1))
    # then she is short (the order left the window) but keeps silver through the grace period
    held = member(engine, "ann")
    assert (held["tier"], held["grace_until"]) == ("silver", review + timedelta(days=30))
    # when the grace period is over
    _daily(engine, review + timedelta(days=31))
    _daily(engine, review + timedelta(days=31))  # a rerun writes nothing twice
    # then base, dated the end of the grace period, in the events and the history
    assert member(engine, "ann")["tier"] == "base"
    assert [(event["to"], event["reason"], event["at"]) for event in tier_events(engine, "ann")] == [
        ("silver", "upgrade", bought),
        ("base", "downgrade", review + timedelta(days=30)),
    ]
    with engine.connect() as connection:
        history = connection.execute(
            text("SELECT from_tier, to_tier, reason FROM loyalty_tier_changes ORDER BY changed_at")
        ).all()
    assert [tuple(row) for row in history] == [("base", "silver", "upgrade"), ("silver", "base", "downgrade")]


def test_a_return_lowers_the_measure_but_not_the_tier_before_the_review(
    engine: Engine, now: datetime
) -> None:
    bought = now - timedelta(hours=1)
    send(engine, [placed("e1", "ann", bought, "o1", 2, "16000")], now)
    assert member(engine, "ann")["tier"] == "silver"
    send(
        engine,
        [
            {
                "event_id": "e2",
                "type": "order_returned",
                "customer_id": "ann",
                "timestamp": now.isoformat(),
                "properties": {
                    "order_id": "o1",
                    "items": [{"sku": "SKU-1", "quantity": 1, "price": "16000"}],
                },
            }
        ],
        now,
    )
    assert member(engine, "ann")["tier"] == "silver"


def test_history_gives_the_tier_at_enrolment(engine: Engine, now: datetime) -> None:
    from tests.integration.loyalty.earning.support import HISTORY, START

    send(engine, [placed("h1", "ann", START - timedelta(days=30), "h1", 1, "40000")], now, options=HISTORY)
    held = member(engine, "ann")
    assert (held["tier"], held["tier_since"]) == ("silver", START)
    assert [(event["from"], event["to"], event["reason"]) for event in tier_events(engine, "ann")] == [
        ("base", "silver", "enrolment")
    ]


def test_a_stored_tier_the_settings_no_longer_have_is_replaced_not_a_stop(
    engine: Engine, now: datetime
) -> None:
    # given ann stored as "platinum", a level the settings file no longer has
    send(engine, [placed("e1", "ann", now - timedelta(days=2), "o1", 1, "1000")], now)
    with engine.begin() as connection:
        connection.execute(text("UPDATE loyalty_members SET tier = 'platinum'"))
    # when she orders again
    send(engine, [placed("e2", "ann", now, "o2", 1, "1000")], now)
    # then the consumer goes on: she holds what her purchases reach, and the move says why
    assert member(engine, "ann")["tier"] == "base"
    assert [(event["from"], event["to"], event["reason"]) for event in tier_events(engine, "ann")] == [
        ("platinum", "base", "settings_changed")
    ]
    assert [entry[3] for entry in entries(engine, "ann") if entry[1] == "order:o2"] == [100]


def test_a_member_who_never_buys_again_is_still_reviewed(engine: Engine, now: datetime) -> None:
    from tests.integration.loyalty.earning.support import HISTORY, START

    # given ann, Silver at enrolment from her history, who never orders again
    send(engine, [placed("h1", "ann", START - timedelta(days=30), "h1", 1, "40000")], now, options=HISTORY)
    review = START.replace(year=2027)
    assert member(engine, "ann")["tier_due_at"] == review
    # when the daily work runs after the review and its grace period
    _daily(engine, review + timedelta(days=31))
    # then she is Base from the end of the grace period
    assert member(engine, "ann")["tier"] == "base"
    assert [(event["to"], event["reason"], event["at"]) for event in tier_events(engine, "ann")][-1] == (
        "base",
        "downgrade",
        review + timedelta(days=30),
    )
