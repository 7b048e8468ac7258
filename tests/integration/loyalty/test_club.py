"""The membership club through the real ingestion path, with the clock injected: a paid club order
joins, another renews from the end, the daily run reminds before the end and lapses after the grace
period, a cancelled or returned club order ends what it bought, buying enough earns a term, and
history records terms without announcing them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import orjson
from sqlalchemy import Engine, text
from tests.integration.loyalty.referral_support import (
    CONFIG,
    PROGRAMME,
    cancelled,
    days,
    derived,
    paid,
    placed,
    returned,
    send,
)

from retentio.clock import FixedClock
from retentio.events import drain
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.loyalty import (
    ClubConsumer,
    ClubView,
    LoyaltyConfig,
    club_members,
    do_club_upkeep,
    get_club,
    is_club_member,
)
from retentio.loyalty.programmes.settings import Membership

CLUB = "CLUB-12M"
YEAR_ON = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def club(engine: Engine, customer_id: str, at: datetime) -> ClubView:
    with engine.connect() as connection:
        return get_club(connection, PROGRAMME, customer_id, at)


def member(engine: Engine, customer_id: str, at: datetime) -> bool:
    with engine.connect() as connection:
        return is_club_member(connection, PROGRAMME, customer_id, at)


def upkeep(engine: Engine, at: datetime) -> tuple[int, int]:
    with engine.begin() as connection:
        run = do_club_upkeep(connection, CONFIG, at)
    return run.reminded, run.lapsed


def properties(engine: Engine, type_name: str) -> list[dict[str, object]]:
    with engine.connect() as connection:
        query = text("SELECT properties FROM events WHERE type = :t ORDER BY id")
        found = [row.properties for row in connection.execute(query, {"t": type_name})]
    return [orjson.loads(value) if isinstance(value, str) else dict(value) for value in found]


def buy_club(engine: Engine, order_id: str, customer_id: str, at: datetime) -> None:
    send(engine, [placed(order_id, customer_id, at, sku=CLUB), paid(order_id, customer_id, at)], at)


def test_a_paid_club_order_joins_for_a_term_and_says_so_once(engine: Engine, now: datetime) -> None:
    # when bob pays for the club product (and the events arrive twice)
    buy_club(engine, "o-1", "bob", now)
    buy_club(engine, "o-1", "bob", now)
    # then he is a member for twelve months, announced once
    view = club(engine, "bob", now)
    assert view.member and view.membership is not None
    assert (view.membership.status, view.membership.via) == ("active", "paid")
    assert (view.membership.started_at, view.membership.ends_at) == (now, YEAR_ON)
    assert derived(engine, "club_joined") == [("loy:club_joined:club:order:o-1", "bob")]
    assert properties(engine, "club_joined")[0]["renewal"] is False
    with engine.connect() as connection:
        assert club_members(connection, PROGRAMME, ["bob", "ann"], now) == frozenset({"bob"})
    assert not member(engine, "ann", now)


def test_an_unpaid_club_order_joins_nobody(engine: Engine, now: datetime) -> None:
    send(engine, [placed("o-1", "bob", now, sku=CLUB)], now)
    assert club(engine, "bob", now).membership is None
    assert derived(engine, "club_joined") == []


def test_reminder_before_the_end_renewal_from_the_end_then_lapse_after_grace(
    engine: Engine, now: datetime
) -> None:
    # given bob's year of membership
    buy_club(engine, "o-1", "bob", now)
    # when the daily run passes 15 days, then 14 days, before the end (twice)
    assert upkeep(engine, YEAR_ON - days(15)) == (0, 0)
    assert upkeep(engine, YEAR_ON - days(14)) == (1, 0)
    assert upkeep(engine, YEAR_ON - days(13)) == (0, 0)
    assert derived(engine, "club_renewal_due") == [
        ("loy:club_renewal_due:club:bob:2027-06-01T12:00:00+00:00", "bob")
    ]
    # when he renews ten days before the end
    buy_club(engine, "o-2", "bob", YEAR_ON - days(10))
    # then the new term runs from the old end, and is a renewal
    membership = club(engine, "bob", YEAR_ON).membership
    assert membership is not None
    assert membership.ends_at == datetime(2028, 6, 1, 12, 0, tzinfo=UTC)
    assert [p["renewal"] for p in properties(engine, "club_joined")] == [False, True]
    # when the new end comes near and passes: reminded again, a member through the grace, then lapsed
    new_end = membership.ends_at
    assert upkeep(engine, new_end - days(14)) == (1, 0)
    assert upkeep(engine, new_end + days(6)) == (0, 0)
    assert member(engine, "bob", new_end + days(6))
    assert upkeep(engine, new_end + days(7)) == (0, 1)
    assert upkeep(engine, new_end + days(8)) == (0, 0)
    # then
    assert not member(engine, "bob", new_end + days(7))
    assert club(engine, "bob", new_end + days(7)).membership.status == "lapsed"  # type: ignore[union-attr]
    assert len(derived(engine, "club_renewal_due")) == 2
    assert derived(engine, "club_lapsed") == [("loy:club_lapsed:club:bob:2028-06-01T12:00:00+00:00", "bob")]


def test_a_cancelled_club_order_ends_the_membership_it_bought(engine: Engine, now: datetime) -> None:
    # given bob's year and its renewal
    buy_club(engine, "o-1", "bob", now)
    buy_club(engine, "o-2", "bob", now + days(300))
    # when the renewal is cancelled
    send(engine, [cancelled("o-2", "bob", now + days(301))], now + days(301))
    # then only the first year is left, still a membership
    membership = club(engine, "bob", now + days(301)).membership
    assert membership is not None and (membership.status, membership.ends_at) == ("active", YEAR_ON)
    assert derived(engine, "club_lapsed") == []
    # when the first order comes back
    send(engine, [returned("o-1", "bob", now + days(302), sku=CLUB)], now + days(302))
    # then the membership ends now, and says why
    view = club(engine, "bob", now + days(302))
    assert not view.member and view.membership is not None and view.membership.status == "ended"
    assert [term.ended for term in view.terms] == [True, True]
    assert [p["reason"] for p in properties(engine, "club_lapsed")] == ["order_returned"]


def test_buying_enough_within_the_window_earns_a_term(engine: Engine, now: datetime) -> None:
    # given earned_orders = 3 within 90 days
    for index in range(2):
        at = now + days(index * 10)
        send(engine, [placed(f"o-{index}", "bob", at), paid(f"o-{index}", "bob", at)], at)
    assert club(engine, "bob", now + days(20)).membership is None
    # when the third order comes
    send(engine, [placed("o-2", "bob", now + days(20))], now + days(20))
    # then
    membership = club(engine, "bob", now + days(20)).membership
    assert membership is not None and (membership.via, membership.status) == ("earned", "active")
    assert derived(engine, "club_joined") == [("loy:club_joined:club:earned:o-2", "bob")]


def test_a_backfilled_club_order_records_the_term_but_announces_nothing(
    engine: Engine, now: datetime
) -> None:
    history = [placed("o-1", "bob", now, sku=CLUB), paid("o-1", "bob", now)]
    send(engine, history, now + days(1), historical=True)
    assert member(engine, "bob", now + days(1))
    assert derived(engine, "club_joined") == []


def test_spending_enough_within_the_window_earns_a_term_and_returns_count_against_it(
    engine: Engine, now: datetime
) -> None:
    # given a programme whose club is earned by spending 1,500 ₽ within 30 days (no paid product)
    settings = CONFIG.programme(PROGRAMME).model_copy(
        update={"membership": Membership(earned_spend=Decimal(1500), earned_window_days=30)}
    )
    config = LoyaltyConfig(programmes={PROGRAMME: settings})

    def send_to(events: list[dict[str, object]], at: datetime) -> None:
        assert not ingest_events(engine, events, at, IngestOptions()).rejected
        drain(engine, [ClubConsumer(config)], FixedClock(at))

    # when bob spends 1,000 ₽, returns it, spends 1,000 ₽ twice more (the first outside the window)
    send_to([placed("o-1", "bob", now), paid("o-1", "bob", now)], now)
    send_to([returned("o-1", "bob", now + days(1))], now + days(1))
    send_to([placed("o-2", "bob", now + days(2))], now + days(2))
    first = club(engine, "bob", now + days(2)).membership
    send_to([placed("o-3", "bob", now + days(40))], now + days(40))
    second = club(engine, "bob", now + days(40)).membership
    send_to([placed("o-4", "bob", now + days(41))], now + days(41))
    # then only the last order brings 2,000 ₽ within 30 days
    assert (first, second) == (None, None)
    membership = club(engine, "bob", now + days(41)).membership
    assert membership is not None and membership.via == "earned"
    assert derived(engine, "club_joined") == [("loy:club_joined:club:earned:o-4", "bob")]
