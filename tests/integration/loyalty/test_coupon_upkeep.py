"""The daily coupon and gift-card upkeep, run as due work: stale holds released, expired cards zeroed,
old failed checks forgotten, once per local date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from tests.integration.loyalty.coupon_fixture import ANNA, CART, first_code, make_pool

from retentio.clock import FixedClock
from retentio.loyalty import (
    coupon_upkeep_kinds,
    do_issue,
    do_reserve,
    do_validate,
    get_gift_card,
    get_reservation,
    start_coupon_upkeep,
)
from retentio.loyalty.coupons.tables import coupon_validation_failures as failures
from retentio.loyalty.coupons.tables import coupons
from retentio.schedule import Daily, Outcome, Registry, Runner, SqlQueue

DAILY = Daily(time(3, 0), ZoneInfo("Europe/Moscow"))


def _run_due(engine: Engine, now: datetime) -> list[tuple[str, date, str | None]]:
    done: list[Outcome] = []
    start_coupon_upkeep(engine, DAILY, now)
    Runner(
        SqlQueue(engine), Registry(coupon_upkeep_kinds(DAILY)), FixedClock(now), report=done.append
    ).run_all_due()
    return [(o.work.kind, date.fromisoformat(o.work.key), o.failure) for o in done]


def test_the_daily_run_releases_stale_holds_and_expires_cards_once(engine: Engine, now: datetime) -> None:
    # given a hold of 15 minutes and a card expiring in an hour, both made the day before
    before = now - timedelta(days=1)
    code = first_code(engine, make_pool(engine, before))
    with engine.begin() as connection:
        held = do_reserve(connection, code, "cart-1", CART, ANNA, before)
        do_validate(connection, "SPR-2222-2222-2222", CART, ANNA, None, now - timedelta(days=31))
        do_validate(connection, "SPR-2222-2222-2223", CART, ANNA, None, now - timedelta(days=29))
        card = do_issue(
            connection, Decimal("300.00"), "RUB", "sale-1", before, expires_at=before + timedelta(hours=1)
        )
    # when the worker runs what is due (15:00 in Moscow, after the 03:00 run time), twice
    first = _run_due(engine, now)
    second = _run_due(engine, now)
    # then one run for today did it all, and the second found nothing due
    assert first == [("loyalty.coupons", date(2026, 6, 1), None)]
    assert second == []
    with engine.connect() as connection:
        assert get_reservation(connection, held.id).state == "released"
        assert connection.execute(select(coupons.c.uses)).scalar_one() == 0
        assert get_gift_card(connection, card.code).balance == 0
        assert connection.execute(select(failures.c.tried)).scalars().all() == ["SPR-2222-2222-2223"]
