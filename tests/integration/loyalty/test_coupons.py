"""Coupon pools, reservations, validation and their events against a real store (SQLite, or
PostgreSQL when RETENTIO_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from tests.integration.loyalty.coupon_fixture import ANNA, CART, first_code, make_pool

from retentio.events.tables import events
from retentio.loyalty import (
    CouponCustomer,
    CouponReason,
    CouponRefused,
    GuessingLimit,
    InvalidCode,
    InvalidPool,
    PoolDefinition,
    ReservationEnded,
    UnknownCode,
    do_commit,
    do_create_pool,
    do_generate_codes,
    do_issue_code,
    do_release,
    do_reserve,
    do_validate,
    export_csv,
    get_pool,
    get_reservation,
    pool_codes,
    pool_stats,
    release_expired,
)
from retentio.loyalty.coupons.rules import CouponRules, Discount
from retentio.loyalty.coupons.tables import coupons


def _events(engine: Engine, type_name: str) -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(events).where(events.c.type == type_name).order_by(events.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def test_a_pool_holds_distinct_prefixed_codes_and_exports_them(engine: Engine, now: datetime) -> None:
    # given
    pool = make_pool(engine, now, codes=5_000)
    # when
    out = io.StringIO()
    with engine.connect() as connection:
        written = export_csv(pool_codes(connection, pool, batch=1_000), out)
        stats = pool_stats(connection, pool)
    # then
    lines = out.getvalue().splitlines()
    assert written == 5_000 and lines[0] == "code,customer_id,uses"
    codes = [line.split(",")[0] for line in lines[1:]]
    assert len(set(codes)) == 5_000
    assert all(code.startswith("SPR-") and len(code) == len("SPR-ABCD-EFGH-JKLM") for code in codes)
    assert stats.codes == 5_000 and stats.codes_used == 0


def test_a_code_already_stored_is_skipped_and_the_pool_topped_up(engine: Engine, now: datetime) -> None:
    # given a code stored by another pool, and the generator made to produce it again
    from retentio.loyalty.coupons import pools

    pool = make_pool(engine, now, codes=1)
    taken = first_code(engine, pool).replace("-", "")
    with engine.begin() as connection:
        stored = pools.store_codes(connection, pool.id, [taken, "SPRZZZZZZZZZZZZ"])
        count = connection.execute(select(func.count()).select_from(coupons)).scalar_one()
    # then only the new one was stored, and nothing was half-applied
    assert stored == 1 and count == 2


def test_bad_pool_definitions_are_refused_naming_the_field(engine: Engine, now: datetime) -> None:
    bad = [
        (CouponRules(currency="RUB", discount=Discount()), "discount"),
        (CouponRules(currency="RUB", discount=Discount(percent=Decimal(120))), "discount.percent"),
        (CouponRules(currency="RUB", discount=Discount(amount=Decimal(-5))), "discount.amount"),
        (CouponRules(currency="rub", discount=Discount(free_shipping=True)), "currency"),
        (CouponRules(currency="XXQ", discount=Discount(free_shipping=True)), "currency"),
        (CouponRules(currency="RUB", discount=Discount(amount=Decimal("0.005"))), "discount.amount"),
        (CouponRules("JPY", Discount(free_shipping=True), minimum_order=Decimal("1.5")), "minimum_order"),
        (
            CouponRules(currency="RUB", discount=Discount(free_shipping=True), uses_per_code=0),
            "uses_per_code",
        ),
    ]
    with engine.begin() as connection:
        for rules, field in bad:
            with pytest.raises(InvalidPool) as raised:
                do_create_pool(connection, PoolDefinition("p", rules), now)
            assert raised.value.field == field
        with pytest.raises(InvalidCode, match="prefix"):
            do_create_pool(
                connection,
                PoolDefinition("p", CouponRules("RUB", Discount(free_shipping=True)), "WINTER"),
                now,
            )
        pool = do_create_pool(
            connection, PoolDefinition("p", CouponRules("RUB", Discount(free_shipping=True))), now
        )
        with pytest.raises(InvalidPool, match="count"):
            do_generate_codes(connection, pool, 0)


def test_reserve_commit_and_the_code_is_used_up(engine: Engine, now: datetime) -> None:
    # given a single-use code
    pool = make_pool(engine, now)
    code = first_code(engine, pool)
    # when one cart reserves and commits it
    with engine.begin() as connection:
        held = do_reserve(connection, code.lower().replace("-", " "), "cart-1", CART, ANNA, now)
        again = do_reserve(connection, code, "cart-1", CART, ANNA, now)  # the same cart asks again
        done = do_commit(connection, held.id, "order-1", now)
        do_commit(connection, held.id, "order-1", now)  # a retried commit
    # then another cart is refused with the rule named
    with engine.begin() as connection, pytest.raises(CouponRefused) as refused:
        do_reserve(connection, code, "cart-2", CART, CouponCustomer("boris"), now)
    assert refused.value.reason == CouponReason.USED_UP
    assert again.id == held.id and done.state == "committed" and done.order_id == "order-1"
    redeemed = _events(engine, "coupon_redeemed")
    assert len(redeemed) == 1 and redeemed[0]["customer_id"] == "anna" and redeemed[0]["derived"] is True
    with engine.connect() as connection:
        stats = pool_stats(connection, get_pool(connection, "spring"))
    assert (stats.codes_used, stats.uses_committed, stats.uses_reserved) == (1, 1, 0)


def test_a_reservation_that_times_out_frees_the_use(engine: Engine, now: datetime) -> None:
    pool = make_pool(engine, now)
    code = first_code(engine, pool)
    with engine.begin() as connection:
        held = do_reserve(connection, code, "cart-1", CART, ANNA, now, hold=timedelta(minutes=5))
    later = now + timedelta(minutes=5)
    # when another cart comes after the hold: the stale reservation is released for it
    with engine.begin() as connection:
        other = do_reserve(connection, code, "cart-2", CART, CouponCustomer("boris"), later)
    with engine.begin() as connection:
        assert get_reservation(connection, held.id).state == "released"
        with pytest.raises(ReservationEnded):
            do_commit(connection, held.id, "order-1", later)
    assert other.state == "reserved"


def test_release_expired_sweeps_only_stale_holds(engine: Engine, now: datetime) -> None:
    pool = make_pool(engine, now, codes=2)
    with engine.connect() as connection:
        first, second = [code for code, _, _ in pool_codes(connection, pool)]
    with engine.begin() as connection:
        do_reserve(connection, first, "cart-1", CART, ANNA, now, hold=timedelta(minutes=1))
        do_reserve(connection, second, "cart-2", CART, ANNA, now, hold=timedelta(minutes=10))
        assert release_expired(connection, now + timedelta(minutes=2)) == 1
        uses = dict(connection.execute(select(coupons.c.code, coupons.c.uses)).all())
    assert sorted(uses.values()) == [0, 1]


def test_a_refund_delivered_twice_gives_the_use_back_once(engine: Engine, now: datetime) -> None:
    pool = make_pool(engine, now, uses_per_code=2)
    code = first_code(engine, pool)
    with engine.begin() as connection:
        one = do_reserve(connection, code, "cart-1", CART, ANNA, now)
        do_reserve(connection, code, "cart-2", CART, CouponCustomer("boris"), now)
        do_commit(connection, one.id, "order-1", now)
        assert do_release(connection, one.id, "refunded", now) is True
        assert do_release(connection, one.id, "refunded", now) is False
        uses = connection.execute(select(coupons.c.uses)).scalar_one()
    assert uses == 1
    assert len(_events(engine, "coupon_released")) == 1


def test_per_customer_limit_counts_across_the_pool(engine: Engine, now: datetime) -> None:
    pool = make_pool(engine, now, codes=2, uses_per_customer=1)
    with engine.connect() as connection:
        first, second = [code for code, _, _ in pool_codes(connection, pool)]
    with engine.begin() as connection:
        do_reserve(connection, first, "cart-1", CART, ANNA, now)
        with pytest.raises(CouponRefused) as refused:
            do_reserve(connection, second, "cart-2", CART, ANNA, now)
    assert refused.value.reason == CouponReason.CUSTOMER_LIMIT_REACHED


def test_unknown_and_malformed_codes_are_named(engine: Engine, now: datetime) -> None:
    make_pool(engine, now)
    with engine.begin() as connection:
        with pytest.raises(UnknownCode, match="no such code"):
            do_reserve(connection, "SPR-2222-2222-2222", "cart-1", CART, ANNA, now)
        with pytest.raises(InvalidCode, match="never hold 0, O, 1 or I"):
            do_reserve(connection, "SPR-0000-2222-2222", "cart-1", CART, ANNA, now)


def test_a_personal_code_is_issued_once_and_only_its_owner_uses_it(engine: Engine, now: datetime) -> None:
    pool = make_pool(engine, now, codes=1)
    with engine.begin() as connection:
        issued = do_issue_code(connection, pool, "anna", "journey:7:step:2", now)
        again = do_issue_code(connection, pool, "anna", "journey:7:step:2", now)
        with pytest.raises(CouponRefused) as refused:
            do_reserve(connection, issued.code, "cart-1", CART, CouponCustomer("boris"), now)
        do_reserve(connection, issued.code, "cart-2", CART, ANNA, now)
    assert again == issued and refused.value.reason == CouponReason.NOT_THIS_CUSTOMERS_CODE
    assert [e["customer_id"] for e in _events(engine, "coupon_issued")] == ["anna"]


def test_guessing_is_refused_after_the_limit_logged_and_alerted(
    engine: Engine, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="retentio.loyalty.coupons.validate")
    # given a real code and a limit of three wrong ones an hour
    pool = make_pool(engine, now)
    code = first_code(engine, pool)
    limit = GuessingLimit(max_failures=3, window=timedelta(hours=1))
    outcomes = []
    for n in range(3):
        with engine.begin() as connection:
            outcomes.append(
                do_validate(
                    connection, f"SPR-2222-2222-222{n + 2}", CART, ANNA, "10.0.0.1", now, limit
                ).outcome
            )
    # when the guesser then tries the real code, twice
    with engine.begin() as connection:
        blocked = do_validate(connection, code, CART, ANNA, "10.0.0.1", now, limit)
    with engine.begin() as connection:
        do_validate(connection, code, CART, ANNA, "10.0.0.1", now + timedelta(minutes=1), limit)
    # then it is refused, logged, and one alert per subject was appended
    assert outcomes == ["unknown_code"] * 3
    assert blocked.outcome == "too_many_attempts"
    assert "coupon validation refused" in caplog.text
    alerts = _events(engine, "coupon_guessing_refused")
    assert sorted(a["properties"]["subject"] for a in alerts) == ["customer:anna", "ip:10.0.0.1"]  # type: ignore[index]
    # another customer on another address is not affected; the window moves on
    with engine.begin() as connection:
        fine = do_validate(connection, code, CART, CouponCustomer("boris"), "10.0.0.2", now, limit)
        later = do_validate(
            connection, code, CART, ANNA, "10.0.0.1", now + timedelta(hours=1, seconds=1), limit
        )
    assert fine.applies and later.applies


def test_validation_names_the_rule_that_does_not_hold(engine: Engine, now: datetime) -> None:
    pool = make_pool(engine, now, minimum_order=Decimal("1000.00"))
    code = first_code(engine, pool)
    with engine.begin() as connection:
        result = do_validate(connection, code, CART, ANNA, None, now)
    assert result.outcome == "below_minimum_order" and "minimum order" in result.message
