"""Issuing offers (OFF-9) on the store: the code is personal, valid and time-limited, a retry issues
nothing twice, points go to the ledger, and every decision — "nothing" included — is logged with
its reasons; the budget counts what was issued."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from tests.integration.offers.offer_fixture import DEFAULT, NO_EXPERIMENTS, customer, shop, with_budget

from retentio.loyalty import (
    Cart,
    CartLine,
    CouponCustomer,
    CouponReason,
    CouponRefused,
    do_reserve,
    get_balance,
    get_pool,
    pool_stats,
)
from retentio.offers import (
    UnknownOccasion,
    UnknownOfferCustomer,
    best_offers,
    current_offers,
    decisions_of,
    do_offer,
    offer_once,
    preview_offer,
)
from retentio.offers.policy.tables import offer_decisions

CART = Cart("RUB", (CartLine("SKU-1", 2, Decimal(1000)),))


def test_a_win_back_code_is_personal_time_limited_and_issued_once(engine: Engine, now: datetime) -> None:
    # given anna, a loyal customer (3 orders of 4,200 ₽, expected value 42,100 ₽, 40 % margin)
    shop(engine, now)
    customer(engine, now, "anna")
    # when the win-back offer is asked for twice (a retry)
    with engine.begin() as connection:
        first = do_offer(connection, NO_EXPERIMENTS, "anna", "win_back", "2026-06", now)
    with engine.begin() as connection:
        again = do_offer(connection, NO_EXPERIMENTS, "anna", "win_back", "2026-06", now + timedelta(hours=1))
    # then one decision and one code: 10 % (a neutral customer gets the occasion's usual discount)
    assert again == first
    assert (first.offer, first.size, first.cost) == ("percent", Decimal(10), Decimal("420.00"))
    assert first.code is not None and first.code.startswith("BACK-")
    assert first.valid_until == datetime(2026, 6, 9, tzinfo=now.tzinfo)
    assert first.reasons[-1] == "10 % on an average check of 4,200 ₽ ≈ 420 ₽"
    with engine.connect() as connection:
        pool = get_pool(connection, "offer:win_back:percent:10:2026-06-08")
        assert pool_stats(connection, pool).personal_codes == 1
        assert connection.execute(select(func.count()).select_from(offer_decisions)).scalar_one() == 1
    # and only anna can use it, and only until it expires
    with engine.begin() as connection:
        with pytest.raises(CouponRefused) as not_hers:
            do_reserve(connection, first.code, "cart-b", CART, CouponCustomer("boris"), now)
        with pytest.raises(CouponRefused) as expired:
            do_reserve(connection, first.code, "cart-late", CART, CouponCustomer("anna"), first.valid_until)
        do_reserve(connection, first.code, "cart-a", CART, CouponCustomer("anna"), now + timedelta(days=1))
    assert not_hers.value.reason == CouponReason.NOT_THIS_CUSTOMERS_CODE
    assert expired.value.reason == CouponReason.EXPIRED


def test_a_flagged_customer_gets_nothing_and_the_decision_is_logged(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    customer(engine, now, "eve", flagged=True)
    with engine.begin() as connection:
        decision = do_offer(connection, NO_EXPERIMENTS, "eve", "win_back", "2026-06", now)
    assert (decision.offer, decision.code) == ("nothing", None)
    with engine.connect() as connection:
        logged = decisions_of(connection, "eve")
    assert [(d.offer, d.reasons) for d in logged] == [
        ("nothing", ("flagged do_not_incentivize → never an incentive",))
    ]


def test_points_are_credited_once_in_the_programme(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    customer(engine, now, "nina", propensity="novelty_seeker")
    for _ in range(2):
        with engine.begin() as connection:
            decision = do_offer(connection, NO_EXPERIMENTS, "nina", "win_back", "2026-06", now)
    assert (decision.offer, decision.size, decision.code) == ("points", Decimal(300), None)
    with engine.connect() as connection:
        assert get_balance(connection, "club", "nina", now).available == 300


def test_the_budget_counts_what_was_issued_and_stops_the_next_offers(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    for name in ("a1", "a2"):
        customer(engine, now, name)
    policy = with_budget(NO_EXPERIMENTS, "win_back", Decimal(500))
    with engine.begin() as connection:
        first = do_offer(connection, policy, "a1", "win_back", "k", now)
        second = do_offer(connection, policy, "a2", "win_back", "k", now)
    assert first.offer == "percent" and first.cost == Decimal("420.00")
    # 80 ₽ left: 1 % of 4,200 ₽ would be all a discount could be; points fit instead
    assert (second.offer, second.size) == ("points", Decimal(80))
    assert "below the 3 % worth offering" in " ".join(second.reasons)


def test_the_holdout_gets_nothing_but_is_logged_with_its_arm(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    names = [f"c{n}" for n in range(40)]
    for name in names:
        customer(engine, now, name, orders=1)
    with engine.begin() as connection:
        decisions = [do_offer(connection, DEFAULT, name, "win_back", "2026-06", now) for name in names]
    arms = {d.variant for d in decisions}
    assert arms == {"holdout", "policy", "flat_10"}
    for decision in decisions:
        assert decision.experiment == "win-back-2026"
        if decision.variant == "holdout":
            assert (
                decision.offer == "nothing" and "holdout of experiment win-back-2026" in decision.reasons[0]
            )
        else:
            assert decision.offer != "nothing" and decision.reasons[0].startswith(f"arm {decision.variant}")


def test_current_and_best_offers_show_valid_codes_only(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    customer(engine, now, "anna")
    customer(engine, now, "nina", propensity="novelty_seeker")
    with engine.begin() as connection:
        cart = do_offer(connection, NO_EXPERIMENTS, "anna", "cart", "cart-1", now)
        win_back = do_offer(connection, NO_EXPERIMENTS, "anna", "win_back", "2026-06", now)
        do_offer(connection, NO_EXPERIMENTS, "nina", "win_back", "2026-06", now)  # points: no code
    with engine.connect() as connection:
        held = current_offers(connection, "anna", now)
        best = best_offers(connection, ["anna", "nina", "nobody"], now)
        later = best_offers(connection, ["anna"], cart.valid_until or now)
    assert {d.occasion for d in held} == {"cart", "win_back"}
    assert list(best) == ["anna"] and best["anna"].code == win_back.code  # worth more than free delivery
    assert later["anna"].code == win_back.code  # the cart's 2-day code is over, the win-back's is not


def test_a_code_used_at_checkout_is_no_longer_a_current_offer(engine: Engine, now: datetime) -> None:
    # given anna holds a win-back code
    shop(engine, now)
    customer(engine, now, "anna")
    with engine.begin() as connection:
        win_back = do_offer(connection, NO_EXPERIMENTS, "anna", "win_back", "2026-06", now)
    assert win_back.code is not None
    # when she uses it in a checkout
    cart = Cart("RUB", (CartLine("MUG", 2, Decimal("4500.00"), "kitchen"),))
    with engine.begin() as connection:
        do_reserve(connection, win_back.code, "cart-1", cart, CouponCustomer("anna"), now)
    # then neither her offers nor a message's offer variable show it any more
    with engine.connect() as connection:
        assert current_offers(connection, "anna", now) == []
        assert best_offers(connection, ["anna"], now) == {}


def test_a_preview_logs_nothing_and_unknown_input_is_refused(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    customer(engine, now, "anna")
    with engine.begin() as connection:
        preview = preview_offer(connection, NO_EXPERIMENTS, "anna", "birthday", now)
        with pytest.raises(UnknownOfferCustomer):
            do_offer(connection, NO_EXPERIMENTS, "ghost", "win_back", "k", now)
        with pytest.raises(UnknownOccasion):
            do_offer(connection, NO_EXPERIMENTS, "anna", "easter", "k", now)
        assert connection.execute(select(func.count()).select_from(offer_decisions)).scalar_one() == 0
    assert preview.offer == "points" and preview.id is None and preview.code is None


def test_racing_requests_for_the_same_occasion_get_one_decision_and_one_code(
    engine: Engine, now: datetime
) -> None:
    # given two customers whose offers would be the first of a new pool
    shop(engine, now)
    customer(engine, now, "anna")
    customer(engine, now, "boris")
    # when four requests race: two for anna's key, two for boris's
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(
            pool.map(
                lambda who: offer_once(engine, NO_EXPERIMENTS, who, "win_back", "2026-06", now),
                ["anna", "boris", "anna", "boris"],
            )
        )
    # then each got one decision and one code, whichever request won
    assert found[0] == found[2] and found[1] == found[3]
    assert found[0].code != found[1].code
    with engine.connect() as connection:
        pool_ = get_pool(connection, "offer:win_back:percent:10:2026-06-08")
        assert pool_stats(connection, pool_).personal_codes == 2
        assert connection.execute(select(func.count()).select_from(offer_decisions)).scalar_one() == 2


def test_offers_decided_at_once_never_spend_more_than_the_budget(engine: Engine, now: datetime) -> None:
    # given six customers whose win-back would cost 420 ₽ each, and a budget of 1,000 ₽
    shop(engine, now)
    names = [f"w{n}" for n in range(6)]
    for name in names:
        customer(engine, now, name)
    policy = with_budget(NO_EXPERIMENTS, "win_back", Decimal(1000))
    # when all six are decided at once
    with ThreadPoolExecutor(max_workers=6) as pool:
        found = list(pool.map(lambda who: offer_once(engine, policy, who, "win_back", "k", now), names))
    # then what was given fits the budget, and the last ones got nothing
    assert sum(decision.cost for decision in found) <= Decimal(1000)
    assert [decision.offer for decision in found].count("nothing") >= 2


def test_a_thin_margin_caps_the_discount_on_the_store(engine: Engine, now: datetime) -> None:
    shop(engine, now, margin=Decimal("0.22"))
    customer(engine, now, "anna", propensity="discount_seeker")
    with engine.begin() as connection:
        decision = do_offer(connection, NO_EXPERIMENTS, "anna", "win_back", "2026-06", now)
    assert (decision.offer, decision.size) == ("percent", Decimal(7))
    assert "margin 22 % with a floor of 15 % → discount capped at 7 %" in decision.reasons
