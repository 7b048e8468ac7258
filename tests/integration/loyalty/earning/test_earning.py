"""The loyalty consumer end to end: events go in through the real ingestion path, the consumer reads
the log, and the ledger, the members and the tier events show what it did."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tests.integration.loyalty.earning.support import (
    CONFIG,
    HISTORY,
    PROGRAMME,
    START,
    balance,
    cancelled,
    entries,
    envelope,
    member,
    placed,
    programme_config,
    returned,
    send,
)

from retentio.catalog import ProductUpsert, do_upsert_products
from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.loyalty import (
    DebtPolicy,
    LoyaltyConfigError,
    do_daily_earning,
    do_nightly,
    do_redeem,
    list_refusals,
)
from retentio.loyalty.programmes.loading import parse_loyalty_config
from retentio.segments import customer_standing


def test_an_order_earns_pending_points_once_however_often_it_is_sent(engine: Engine, now: datetime) -> None:
    # given an order of 2 × 500 ₽ (1 point per 10 ₽)
    order = placed("e1", "ann", now - timedelta(hours=1), "o1", 2, "500")
    # when it is sent, then sent again as is and under another event id (a shop's retry)
    send(engine, [order], now)
    send(engine, [order, {**order, "event_id": "e1-retry"}], now)
    # then one accrual, pending until the return window closes, and ann is a member
    assert entries(engine, "ann") == [
        ("accrual", "order:o1", 0, 100, 0),
        ("accrual", "action:club:registration", 100, 0, 0),
    ]
    assert balance(engine, "ann") == (100, 100, 0)
    assert member(engine, "ann")["tier"] == "base"
    # when the return window has closed and the nightly work runs
    do_nightly(engine, now + timedelta(days=14), 7)
    # then the points are available
    assert balance(engine, "ann") == (200, 0, 0)


def test_a_cancellation_takes_the_points_back_whole(engine: Engine, now: datetime) -> None:
    send(engine, [placed("e1", "ann", now - timedelta(hours=1), "o1", 2, "500")], now)
    send(engine, [cancelled("e2", "ann", now, "o1"), cancelled("e3", "ann", now, "o1")], now)
    assert [entry for entry in entries(engine, "ann") if entry[1].startswith("order:")] == [
        ("accrual", "order:o1", 0, 100, 0),
        ("reversal", "order:o1:cancelled", 0, -100, 0),
    ]
    assert balance(engine, "ann") == (100, 0, 0)  # the registration's points stay


def test_returns_after_the_points_were_spent_leave_a_debt_the_next_order_pays(
    engine: Engine, now: datetime
) -> None:
    # given 100 points from an order of 2 × 500 ₽, available after the return window, 180 of 200 spent
    send(engine, [placed("e1", "ann", now - timedelta(hours=1), "o1", 2, "500")], now)
    later = now + timedelta(days=15)
    do_nightly(engine, later, 7)
    with engine.begin() as connection:
        do_redeem(connection, "club", "ann", 180, "checkout:c1", later)
    # when one of the two units comes back, then the other one
    send(engine, [returned("e2", "ann", later, "o1", 1, "500")], later)
    send(engine, [returned("e3", "ann", later, "o1", 1, "500")], later)
    # then half the points each time: 20 from what was left, the rest a debt
    assert balance(engine, "ann") == (0, 0, 80)
    assert [entry[:2] for entry in entries(engine, "ann") if entry[0] in {"reversal", "debt"}] == [
        ("reversal", "order:o1:returned:50000"),
        ("debt", "order:o1:returned:50000"),
        ("reversal", "order:o1:returned:100000"),
        ("debt", "order:o1:returned:100000"),
    ]
    # when ann orders again for 1,000 ₽: those 100 points pay the debt first
    send(engine, [placed("e4", "ann", later, "o2", 1, "1000")], later)
    assert balance(engine, "ann") == (0, 20, 0)


def test_under_the_block_policy_a_return_of_spent_points_is_written_off(
    engine: Engine, now: datetime
) -> None:
    config = programme_config('debt_policy = "block"')
    send(engine, [placed("e1", "ann", now - timedelta(hours=1), "o1", 1, "1000")], now, config)
    later = now + timedelta(days=15)
    do_nightly(engine, later, 7)
    with engine.begin() as connection:
        do_redeem(connection, "club", "ann", 200, "checkout:c1", later)
    send(engine, [cancelled("e2", "ann", later, "o1")], later, config)
    assert balance(engine, "ann") == (0, 0, 0)
    with engine.connect() as connection:
        shortfall = connection.execute(
            text("SELECT shortfall FROM loyalty_entries WHERE source = 'order:o1:cancelled'")
        ).scalar_one()
    assert shortfall == 100


def test_actions_are_rewarded_by_their_once_rules(engine: Engine, now: datetime) -> None:
    at = now - timedelta(hours=2)
    batch = [
        envelope("s1", "subscribed", "ann", at, channel="email"),
        envelope("s2", "subscribed", "ann", at + timedelta(minutes=1), channel="sms"),
        envelope("r1", "review_submitted", "ann", at, rating=5),
        envelope("r2", "review_submitted", "ann", at, rating=4),
    ]
    send(engine, batch, now)
    send(engine, batch, now)  # the same events again change nothing
    sources = sorted(entry[1] for entry in entries(engine, "ann"))
    assert sources == [
        "action:club:registration",
        "action:club:review:r1",
        "action:club:review:r2",
        "action:club:subscription",
    ]
    assert balance(engine, "ann") == (100 + 50 + 20 + 20, 0, 0)


def test_a_customer_not_to_incentivize_gets_order_points_but_no_rewards_and_the_refusal_is_kept(
    engine: Engine, now: datetime
) -> None:
    # given eve, whom the bad-customer checklist flags
    _profile(engine, now, "eve")
    with engine.begin() as connection:
        connection.execute(
            customer_standing.insert(),
            {
                "customer_id": "eve",
                "lifecycle": "active",
                "ladder": "customer",
                "bad_score": 9,
                "bad_customer": True,
                "bad_reasons": ["returns"],
                "do_not_incentivize": True,
                "computed_at": now,
            },
        )
    # when she subscribes, reviews and orders
    send(
        engine,
        [
            envelope("s1", "subscribed", "eve", now, channel="email"),
            envelope("r1", "review_submitted", "eve", now, rating=5),
            placed("o", "eve", now, "o1", 1, "1000"),
        ],
        now,
    )
    # then the order earns (the programme's rules are not a gift), the rewards do not
    assert entries(engine, "eve") == [("accrual", "order:o1", 0, 100, 0)]
    with engine.connect() as connection:
        refused = list_refusals(connection, "club", "eve")
    assert sorted((r.source, r.points, r.reason) for r in refused) == [
        ("action:club:registration", 100, "do_not_incentivize"),
        ("action:club:review:r1", 20, "do_not_incentivize"),
        ("action:club:subscription", 50, "do_not_incentivize"),
    ]


def test_imported_history_earns_nothing(engine: Engine, now: datetime) -> None:
    # given the programme started on 1 January
    # when last year's orders are imported, and an order from before the start arrives live
    send(engine, [placed("h1", "ann", START - timedelta(days=40), "h1", 1, "5000")], now, options=HISTORY)
    send(engine, [placed("h2", "ann", START - timedelta(days=1), "h2", 1, "5000")], now)
    # and a backfill marks an order after the start as history
    send(engine, [placed("h3", "ann", START + timedelta(days=1), "h3", 1, "5000")], now, options=HISTORY)
    # then none of them earns, and why is kept
    assert balance(engine, "ann") == (0, 0, 0)
    with engine.connect() as connection:
        why = dict(
            connection.execute(
                text("SELECT order_id, not_earned FROM loyalty_order_points ORDER BY order_id")
            ).all()
        )
    assert why == {"h1": "historical", "h2": "before_programme_start", "h3": "historical"}
    # but ann is a member since the start, with the tier her history reaches
    assert member(engine, "ann")["enrolled_at"] == START


def test_without_a_start_date_the_programme_starts_when_first_run(engine: Engine, now: datetime) -> None:
    config = programme_config(starts_at="")
    send(engine, [placed("h1", "ann", now - timedelta(days=3), "h1", 1, "5000")], now, config)
    send(
        engine,
        [placed("n1", "ann", now + timedelta(hours=1), "n1", 1, "1000")],
        now + timedelta(hours=2),
        config,
    )
    assert [entry[1] for entry in entries(engine, "ann")] == ["order:n1"]


def test_enrolment_at_first_order_waits_for_an_order(engine: Engine, now: datetime) -> None:
    config = programme_config('enrolment = "first_order"')
    send(engine, [envelope("v1", "product_viewed", "ann", now, sku="SKU-1")], now, config)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM loyalty_members")).scalar_one() == 0
    send(engine, [placed("o1", "ann", now, "o1", 1, "1000")], now, config)
    assert member(engine, "ann")["enrolled_at"] == now


def test_enrolment_on_joining_waits_for_the_customer_to_join_that_programme(
    engine: Engine, now: datetime
) -> None:
    config = programme_config('enrolment = "on_join"')
    # ann buys without joining, then joins another programme: no member, no points
    send(engine, [placed("o1", "ann", now, "o1", 1, "1000")], now, config)
    send(engine, [envelope("j0", "loyalty_joined", "ann", now, programme="other")], now, config)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM loyalty_members")).scalar_one() == 0
    assert entries(engine, "ann") == []
    # she joins this one: a member with the registration reward; the next order earns
    later = now + timedelta(hours=1)
    send(engine, [envelope("j1", "loyalty_joined", "ann", later, programme="club")], later, config)
    send(engine, [placed("o2", "ann", later, "o2", 1, "1000")], later, config)
    assert member(engine, "ann")["enrolled_at"] == later
    assert [entry[1] for entry in entries(engine, "ann")] == ["action:club:registration", "order:o2"]


def _profile(engine: Engine, now: datetime, customer: str, **fields: object) -> None:
    with engine.begin() as connection:
        do_upsert_customers(connection, [(customer, CustomerUpsert.model_validate(fields))], now)


def test_a_complete_profile_is_rewarded_once_at_identify_or_by_the_daily_work(
    engine: Engine, now: datetime
) -> None:
    # given ann's profile without a birthday, and bob's complete one
    profile = {"email": "ann@example.ru", "phone": "+79990000000", "first_name": "Ann", "last_name": "Lee"}
    _profile(engine, now, "ann", **profile)
    _profile(engine, now, "bob", birthday="1990-06-02", **{**profile, "email": "bob@example.ru"})
    # when ann identifies: nothing yet
    identified = [
        {**envelope("i1", "identify", "ann", now), "anonymous_id": "v-ann"},
        {**envelope("b1", "identify", "bob", now), "anonymous_id": "v-bob"},
    ]
    send(engine, identified, now)
    assert "action:club:profile_completion" not in [entry[1] for entry in entries(engine, "ann")]
    assert "action:club:profile_completion" in [entry[1] for entry in entries(engine, "bob")]
    # when she adds her birthday through the API (no event) and the daily work runs twice
    _profile(engine, now, "ann", birthday="1990-06-01")
    with engine.begin() as connection:
        first = do_daily_earning(connection, CONFIG, now)
    with engine.begin() as connection:
        second = do_daily_earning(connection, CONFIG, now)
    # then she is rewarded once, and her birthday (today) too
    assert (first.profiles_completed, second.profiles_completed) == (1, 0)
    sources = [entry[1] for entry in entries(engine, "ann")]
    assert sources.count("action:club:profile_completion") == 1
    assert sources.count("action:club:birthday:2026") == 1
    assert "action:club:birthday:2026" not in [entry[1] for entry in entries(engine, "bob")]


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ('enrolment = "sometimes"', "programmes.club.enrolment"),
        ('debt_policy = "forgive"', "programmes.club.debt_policy"),
        ('starts_at = "soon"', "programmes.club.starts_at"),
    ],
)
def test_a_wrong_setting_is_refused_by_name(setting: str, named: str) -> None:
    with pytest.raises(LoyaltyConfigError, match=named.replace(".", r"\.")):
        programme_config(starts_at=setting)


def test_the_debt_policy_defaults_to_debt() -> None:
    assert programme_config().programmes["club"].debt_policy is DebtPolicy.DEBT


def test_an_excluded_category_earns_nothing_also_on_an_order_settled_without_its_event(
    engine: Engine, now: datetime
) -> None:
    # given gift cards excluded, and SKU-1 a gift card in the catalogue
    config = parse_loyalty_config(
        PROGRAMME.format(extra="", starts_at="").replace(
            'points_per_unit = "0.1"', 'points_per_unit = "0.1"\nexcluded_categories = ["gift_cards"]'
        ),
        Path("loyalty.toml"),
    )
    with engine.begin() as connection:
        do_upsert_products(
            connection, [("SKU-1", ProductUpsert(name="Card", category="gift_cards"))], now, "RUB"
        )
    # when a visitor buys one and then identifies (the order is settled at the identify)
    order = {**placed("p1", "ann", now, "o1", 2, "500"), "anonymous_id": "v1"}
    del order["customer_id"]
    send(engine, [order], now, config)
    send(engine, [{**envelope("i1", "identify", "ann", now), "anonymous_id": "v1"}], now, config)
    # then the order earned nothing
    assert [entry for entry in entries(engine, "ann") if entry[1].startswith("order:")] == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT points FROM loyalty_order_points")).scalar_one() == 0


def test_a_visitors_order_earns_when_the_visitor_identifies(engine: Engine, now: datetime) -> None:
    order = {**placed("p1", "ann", now, "o1", 1, "1000"), "anonymous_id": "v1"}
    del order["customer_id"]
    send(engine, [order], now)
    send(engine, [{**envelope("i1", "identify", "ann", now), "anonymous_id": "v1"}], now)
    assert [entry for entry in entries(engine, "ann") if entry[1].startswith("order:")] == [
        ("accrual", "order:o1", 0, 100, 0)
    ]
