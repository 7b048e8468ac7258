"""Automatic promotions (pools without codes) as the checkout sees them, and gift card holds as the
cards' own upkeep sees them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from tests.integration.loyalty.checkout_fixture import CONFIG, LINES, open_shop, reserve_request

from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.loyalty import (
    CheckoutRequest,
    CouponRules,
    Discount,
    InvalidPool,
    PoolDefinition,
    ReserveRequest,
    Stacking,
    calculate_checkout,
    do_create_pool,
    do_expire,
    do_generate_codes,
    do_join_club,
    do_release_checkout,
    do_reserve_checkout,
    get_gift_card,
    pool_codes,
)

TEA_WEEK = CouponRules(
    "RUB", Discount(percent=Decimal(20)), uses_per_code=None, categories=frozenset({"tea"})
)


def _applied(engine: Engine, now: datetime) -> list[tuple[str | None, Decimal]]:
    with engine.connect() as connection:
        answer = calculate_checkout(connection, CheckoutRequest(None, "RUB", LINES), CONFIG, now)
    return [(applied.name, applied.discount) for applied in answer.applied]


def test_a_promotion_applies_while_valid_and_one_added_elsewhere_is_seen(
    engine: Engine, now: datetime
) -> None:
    # given a tea promotion valid for a day
    with engine.begin() as connection:
        rules = _with(TEA_WEEK, valid_until=now + timedelta(days=1))
        do_create_pool(connection, PoolDefinition("tea-week", rules, automatic=True), now)
    assert _applied(engine, now) == [("tea-week", Decimal("60.00"))]
    assert _applied(engine, now + timedelta(days=1)) == []
    # when another process adds a promotion (a row this process's memory has not heard of)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO coupon_pools (name, prefix, code_length, currency, amount_off, free_shipping,"
                " skus, categories, segments, exclusive, stack_group, created_at, automatic)"
                " VALUES ('books', '', 12, 'RUB', 10000, false, '[]', '[\"books\"]', '[]', false, 'other',"
                " :now, true)"
            ),
            {"now": now},
        )
    # then the next calculation sees it: the better of the two stacking groups wins
    assert _applied(engine, now) == [("books", Decimal("100.00"))]


def test_an_automatic_promotion_has_no_codes_nor_use_limits(engine: Engine, now: datetime) -> None:
    with engine.begin() as connection:
        for rules, field in [
            (_with(TEA_WEEK, uses_per_code=1), "uses_per_code"),
            (_with(TEA_WEEK, uses_per_customer=1), "uses_per_customer"),
        ]:
            with pytest.raises(InvalidPool) as refused:
                do_create_pool(connection, PoolDefinition("x", rules, automatic=True), now)
            assert refused.value.field == field
        pool = do_create_pool(connection, PoolDefinition("tea", TEA_WEEK, automatic=True), now)
        with pytest.raises(InvalidPool) as refused:
            do_generate_codes(connection, pool, 10)
        assert refused.value.field == "count"


def test_an_exclusive_promotion_and_a_code_of_a_group_the_best_wins(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)  # its code: 10 % off, group "default"
    with engine.begin() as connection:
        big = _with(
            TEA_WEEK,
            discount=Discount(amount=Decimal(500)),
            categories=frozenset(),
            stacking=Stacking(exclusive=True),
        )
        do_create_pool(connection, PoolDefinition("big", big, automatic=True), now)
        request = CheckoutRequest("anna", "RUB", LINES, codes=(shop.code,))
        answer = calculate_checkout(connection, request, CONFIG, now)
    assert [(a.kind, a.discount) for a in answer.applied] == [("promotion", Decimal("500.00"))]
    assert [(r.field, r.reason) for r in answer.refused] == [("codes[0]", "not_stackable")]


def test_a_card_with_a_checkout_hold_expires_once_the_hold_ends(engine: Engine, now: datetime) -> None:
    # given a card expiring while a checkout holds part of it
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        connection.execute(text("UPDATE gift_cards SET expires_at = :t"), {"t": now + timedelta(minutes=5)})
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    later = now + timedelta(minutes=10)
    # when the upkeep runs: the card waits for its hold
    with engine.begin() as connection:
        assert do_expire(connection, later) == 0
        do_release_checkout(connection, held.id, "released", later)
    # then, the hold released, the next run expires it
    with engine.begin() as connection:
        assert do_expire(connection, later) == 1
        assert get_gift_card(connection, shop.gift_card).balance == Decimal("0.00")


def _fields(rules: CouponRules) -> dict[str, object]:
    return {name: getattr(rules, name) for name in rules.__slots__}


def _with(rules: CouponRules, **changes: object) -> CouponRules:
    return CouponRules(**{**_fields(rules), **changes})  # type: ignore[arg-type]


def test_the_clubs_own_offer_applies_to_its_members_only(engine: Engine, now: datetime) -> None:
    # given a promotion and a code restricted to the club, and anna a member by a paid term
    shop = open_shop(engine, now)
    club_only = CouponRules(
        "RUB", Discount(percent=Decimal(15)), uses_per_code=None, segments=frozenset({"club"})
    )
    with engine.begin() as connection:
        do_create_pool(connection, PoolDefinition("club-week", club_only, automatic=True), now)
        pool = do_create_pool(connection, PoolDefinition("club-code", club_only, prefix="CLB"), now)
        do_generate_codes(connection, pool, 1)
        code = next(pool_codes(connection, pool))[0]
        do_upsert_customers(connection, [("bob", CustomerUpsert())], now)
        do_join_club(connection, CONFIG.programme("club"), shop.customer, "paid", "order:club-1", now, now)
    # when both check out with the club's code
    with engine.connect() as connection:
        member = calculate_checkout(
            connection, CheckoutRequest("anna", "RUB", LINES, codes=(code,)), CONFIG, now
        )
        other = calculate_checkout(
            connection, CheckoutRequest("bob", "RUB", LINES, codes=(code,)), CONFIG, now
        )
    # then the member gets the promotion and the code, the other customer neither, with the reason
    assert sorted(applied.kind for applied in member.applied) == ["coupon", "promotion"]
    assert other.applied == ()
    [refused] = other.refused
    assert (refused.code, refused.reason) == (code, "segment_not_eligible")
    # and a reservation holds the member's code (its use is checked again with the same segments)
    with engine.begin() as connection:
        request = ReserveRequest(CheckoutRequest("anna", "RUB", LINES, codes=(code,)), "club:1", "cart-9")
        reserved = do_reserve_checkout(connection, request, CONFIG, now)
    assert len(reserved.coupon_uses) == 1
