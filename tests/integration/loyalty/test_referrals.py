"""Referrals through the real ingestion path: a friend's first paid order, once its return window
(14 days) has closed, rewards both sides once; a return pays nothing; every fraud rule's refusal is
recorded with its reason; history never pays."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from tests.helpers import event
from tests.integration.loyalty.referral_support import (
    CONFIG,
    PROGRAMME,
    add_customer,
    cancelled,
    days,
    derived,
    paid,
    placed,
    points,
    referral,
    returned,
    send,
)

from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.loyalty import (
    ReferralRefusal,
    do_issue_referral_code,
    do_reward_referrals,
    get_referral,
    list_referral_refusals,
)

PROG = CONFIG.programme(PROGRAMME)


def code_of(engine: Engine, customer_id: str, now: datetime) -> str:
    with engine.begin() as connection:
        return do_issue_referral_code(connection, PROG, customer_id, now).code


def reward(engine: Engine, at: datetime) -> tuple[int, int]:
    with engine.begin() as connection:
        run = do_reward_referrals(connection, CONFIG, at)
    return run.rewarded, run.refused


def refusals(engine: Engine) -> list[ReferralRefusal]:
    with engine.connect() as connection:
        return list_referral_refusals(connection)


def friends(engine: Engine, referrer: str) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        view = get_referral(connection, PROG, referrer)
    return [(friend.friend_id, friend.status) for friend in view.friends]


def test_a_code_is_issued_once_readable_with_its_link(engine: Engine, now: datetime) -> None:
    # given
    add_customer(engine, "ann", now)
    # when
    first = code_of(engine, "ann", now)
    again = code_of(engine, "ann", now + days(1))
    # then: the same code, grouped by four, in the readable alphabet, and its link
    assert first == again
    assert len(first) == 12 and first[4] == "-" and first[9] == "-"
    assert not set(first) & set("01OI")
    with engine.connect() as connection:
        view = get_referral(connection, PROG, "ann")
    assert view.code is not None and view.code.link == f"https://shop.example/r/{first}"


def test_the_first_paid_order_rewards_both_sides_once_when_its_window_closes(
    engine: Engine, now: datetime
) -> None:
    # given ann's code, and bob who signs up with it and pays his first order
    add_customer(engine, "ann", now, email="ann@example.com")
    add_customer(engine, "bob", now, email="bob@example.com")
    code = code_of(engine, "ann", now)
    story = [
        referral("r-1", "bob", code.lower().replace("-", " "), now),
        placed("o-1", "bob", now + days(1)),
        paid("o-1", "bob", now + days(1)),
    ]
    send(engine, story, now + days(1))
    # when the window has not closed yet, then when it has (paid + 14 days)
    early = reward(engine, now + days(14.9))
    on_time = reward(engine, now + days(15))
    # then both are rewarded once, announced once each with stable ids
    assert early == (0, 0)
    assert on_time == (1, 0)
    assert (points(engine, "ann"), points(engine, "bob")) == (300, 200)
    assert derived(engine, "referral_rewarded") == [
        ("loy:referral_rewarded:club:bob:friend", "bob"),
        ("loy:referral_rewarded:club:bob:referrer", "ann"),
    ]
    # when every event arrives again, and the reward runs again
    send(engine, story, now + days(16))
    again = reward(engine, now + days(16))
    # then nothing more is paid or announced
    assert again == (0, 0)
    assert (points(engine, "ann"), points(engine, "bob")) == (300, 200)
    assert len(derived(engine, "referral_rewarded")) == 2
    assert friends(engine, "ann") == [("bob", "rewarded")]
    assert refusals(engine) == []


def test_an_order_carrying_the_code_attributes_its_buyer(engine: Engine, now: datetime) -> None:
    # given
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    # when bob's first order carries ann's code, and the payment service reports it for a visitor
    send(engine, [placed("o-1", "bob", now, referral_code=code)], now)
    paid_by_visitor = event("o-1-paid", "order_paid", now + days(1), anonymous_id="v-1", order_id="o-1")
    send(engine, [paid_by_visitor], now + days(1))
    # then bob is ann's friend, and the window closes 14 days after payment
    assert friends(engine, "ann") == [("bob", "paid")]
    assert reward(engine, now + days(14.9)) == (0, 0)
    assert reward(engine, now + days(15)) == (1, 0)
    assert (points(engine, "ann"), points(engine, "bob")) == (300, 200)


@pytest.mark.parametrize("undo", [returned, cancelled])
def test_a_first_order_returned_within_the_window_pays_nothing(
    engine: Engine, now: datetime, undo: object
) -> None:
    # given bob paid his first order with ann's code
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    send(engine, [placed("o-1", "bob", now, referral_code=code), paid("o-1", "bob", now)], now)
    # when he sends it back within the window, then pays a second order
    assert callable(undo)
    send(engine, [undo("o-1", "bob", now + days(3))], now + days(3))
    send(engine, [placed("o-2", "bob", now + days(4)), paid("o-2", "bob", now + days(4))], now + days(4))
    # then nothing is paid, ever; the refusal says why
    assert reward(engine, now + days(30)) == (0, 0)
    assert (points(engine, "ann"), points(engine, "bob")) == (0, 0)
    assert derived(engine, "referral_rewarded") == []
    assert friends(engine, "ann") == [("bob", "returned")]
    [refusal] = refusals(engine)
    assert (refusal.reason, refusal.source, refusal.friend_id, refusal.referrer_id) == (
        "first_order_returned",
        "order:o-1",
        "bob",
        "ann",
    )


def test_a_return_seen_only_when_the_window_closes_pays_nothing(engine: Engine, now: datetime) -> None:
    # given bob's paid first order whose return arrives after the consumer last ran
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    send(engine, [placed("o-1", "bob", now, referral_code=code), paid("o-1", "bob", now)], now)
    send(engine, [returned("o-1", "bob", now + days(13))], now + days(13))
    # when the window closes
    result = reward(engine, now + days(14))
    # then
    assert result == (0, 0)
    assert [refusal.reason for refusal in refusals(engine)] == ["first_order_returned"]


def test_backfilled_referrals_and_orders_never_pay(engine: Engine, now: datetime) -> None:
    # given a backfill of bob's referral and paid first order
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    history = [referral("r-1", "bob", code, now), placed("o-1", "bob", now), paid("o-1", "bob", now)]
    send(engine, history, now + days(1), historical=True)
    # when the window closes, and bob orders again live
    send(engine, [placed("o-2", "bob", now + days(2)), paid("o-2", "bob", now + days(2))], now + days(2))
    result = reward(engine, now + days(40))
    # then nothing is paid; bob stays ann's (backfilled) friend
    assert result == (0, 0)
    assert (points(engine, "ann"), points(engine, "bob")) == (0, 0)
    assert friends(engine, "ann") == [("bob", "history")]


def refused(engine: Engine) -> list[tuple[str, str | None, str | None]]:
    return [(r.reason, r.referrer_id, r.friend_id) for r in refusals(engine)]


def test_self_referral_is_refused(engine: Engine, now: datetime) -> None:
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    send(engine, [referral("r-1", "ann", code, now)], now)
    assert refused(engine) == [("self_referral", "ann", "ann")]
    assert friends(engine, "ann") == []


@pytest.mark.parametrize(
    ("ann", "bob"),
    [
        ({"email": "ann@example.com"}, {"email": " ANN@example.com"}),
        ({"phone": "+7 916 123-45-67"}, {"phone": "89161234567"}),
    ],
)
def test_the_same_contact_is_refused(
    engine: Engine, now: datetime, ann: dict[str, str], bob: dict[str, str]
) -> None:
    add_customer(engine, "ann", now, **ann)
    add_customer(engine, "bob", now, **bob)
    code = code_of(engine, "ann", now)
    send(engine, [referral("r-1", "bob", code, now)], now)
    assert refused(engine) == [("same_contact", "ann", "bob")]
    assert friends(engine, "ann") == []


@pytest.mark.parametrize(
    ("name", "reason"), [("shipping_address_hash", "same_address"), ("payment_fingerprint", "same_payment")]
)
def test_an_address_or_payment_the_referrer_used_is_refused(
    engine: Engine, now: datetime, name: str, reason: str
) -> None:
    # given ann's own order shipped to her home and paid with her card
    add_customer(engine, "ann", now)
    send(engine, [placed("o-ann", "ann", now - days(30), **{name: "h-42"})], now - days(30))
    code = code_of(engine, "ann", now)
    # when bob's first order with her code uses the same
    send(
        engine,
        [placed("o-1", "bob", now, referral_code=code, **{name: "h-42"}), paid("o-1", "bob", now)],
        now,
    )
    # then
    assert refused(engine) == [(reason, "ann", "bob")]
    assert friends(engine, "ann") == []


def test_an_address_the_referrer_used_on_a_later_order_is_refused_at_the_windows_close(
    engine: Engine, now: datetime
) -> None:
    # given bob attributed, his first order paid; then an order of his ships to ann's address
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    send(engine, [placed("o-ann", "ann", now, shipping_address_hash="h-42")], now)
    send(engine, [placed("o-1", "bob", now, referral_code=code), paid("o-1", "bob", now)], now)
    send(engine, [placed("o-2", "bob", now + days(2), shipping_address_hash="h-42")], now + days(2))
    # when the window closes
    assert reward(engine, now + days(14)) == (0, 1)
    # then
    assert refused(engine) == [("same_address", "ann", "bob")]
    assert friends(engine, "ann") == [("bob", "refused")]
    assert points(engine, "ann") == 0


def test_too_many_friends_within_the_period_are_refused(engine: Engine, now: datetime) -> None:
    # given ann's code and max_friends = 2 within 30 days
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    # when three friends sign up within the period, and a fourth after it
    signups = [
        referral(f"r-{name}", name, code, now + days(index)) for index, name in enumerate(["b", "c", "d"])
    ]
    send(engine, signups, now + days(3))
    send(engine, [referral("r-e", "e", code, now + days(31))], now + days(31))
    # then the third is refused; the fourth counts the last 30 days only
    assert refused(engine) == [("too_many_friends", "ann", "d")]
    assert friends(engine, "ann") == [("b", "waiting"), ("c", "waiting"), ("e", "waiting")]


def test_a_friend_referred_already_or_who_ordered_before_is_refused(engine: Engine, now: datetime) -> None:
    add_customer(engine, "ann", now)
    add_customer(engine, "cat", now)
    ann, cat = code_of(engine, "ann", now), code_of(engine, "cat", now)
    send(engine, [placed("o-0", "dan", now - days(5)), paid("o-0", "dan", now - days(5))], now - days(5))
    # when bob is referred by ann then cat, and dan (a buyer already) by ann
    send(
        engine, [referral("r-1", "bob", ann, now), referral("r-2", "bob", cat, now + days(1))], now + days(1)
    )
    send(engine, [referral("r-3", "dan", ann, now + days(1))], now + days(1))
    # then
    assert sorted(refused(engine)) == [
        ("already_referred", "cat", "bob"),
        ("not_a_new_customer", "ann", "dan"),
    ]
    assert friends(engine, "ann") == [("bob", "waiting")]
    assert friends(engine, "cat") == []


def test_unknown_and_mistyped_codes_and_a_missing_friend_are_refused_and_recorded(
    engine: Engine, now: datetime
) -> None:
    add_customer(engine, "ann", now)
    code = code_of(engine, "ann", now)
    anonymous = {
        "event_id": "r-anon",
        "type": "referral",
        "anonymous_id": "visitor-1",
        "timestamp": now.isoformat(),
        "properties": {"referral_code": code},
    }
    # when
    send(
        engine,
        [referral("r-1", "bob", "ZZZZ-ZZZZ-ZZ", now), referral("r-2", "cat", "ABC0-1", now), anonymous],
        now,
    )
    # then each is recorded with a reason naming what is wrong
    found = {r.source: r for r in refusals(engine)}
    assert {source: r.reason for source, r in found.items()} == {
        "r-1": "unknown_code",
        "r-2": "invalid_code",
        "r-anon": "no_friend",
    }
    assert found["r-1"].programme == "" and found["r-1"].detail == "no customer has the code 'ZZZZ-ZZZZ-ZZ'"
    assert "never hold 0, O, 1 or I" in found["r-2"].detail
    assert found["r-anon"].referrer_id == "ann"


def test_a_malformed_referral_property_is_rejected_at_ingest_naming_it(engine: Engine, now: datetime) -> None:
    # when an order carries a code that is not text, and a referral event has no code
    bad_order = placed("o-1", "bob", now, referral_code=42)
    no_code = event("r-1", "referral", now, "bob")
    result = ingest_events(engine, [bad_order, no_code], now, IngestOptions())
    # then both are rejected, each naming its field, and nothing is attributed or refused
    assert [(r.event_id, [e.field for e in r.errors]) for r in result.rejected] == [
        ("o-1-placed", ["properties.referral_code"]),
        ("r-1", ["properties.referral_code"]),
    ]
    assert refusals(engine) == []
