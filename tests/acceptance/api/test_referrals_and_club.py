"""GET/POST /v1/customers/{id}/referral, GET /v1/referral-refusals (admin) and
GET /v1/customers/{id}/club over HTTP, with events sent to /v1/events and the consumers caught up
as ``retentio serve``'s loop would; the programme is the default one (club)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import event, item
from tests.integration.loyalty.ledger.support import add_customers

from retentio.clock import FixedClock
from retentio.events import drain
from retentio.loyalty import ClubConsumer, ReferralsConsumer, do_reward_referrals, load_loyalty_config

CONFIG = load_loyalty_config(None, {})


def catch_up(engine: Engine, now: datetime) -> None:
    drain(engine, [ReferralsConsumer(CONFIG), ClubConsumer(CONFIG)], FixedClock(now))


def order(
    order_id: str, customer: str, at: datetime, sku: str = "TEA", **extra: object
) -> list[dict[str, object]]:
    placed = event(
        f"{order_id}-p",
        "order_placed",
        at,
        customer,
        order_id=order_id,
        items=[item(sku, 1, "990.00")],
        total="990.00",
        currency="RUB",
        **extra,
    )
    return [placed, event(f"{order_id}-paid", "order_paid", at, customer, order_id=order_id)]


def test_a_code_is_issued_then_a_friends_first_order_shows_as_rewarded(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # given ann, and keys
    add_customers(engine, ["ann"], now)
    ingest, read = headers_for("ingest"), headers_for("read")
    # when her code is asked for twice
    first = client.post("/v1/customers/ann/referral", headers=ingest)
    second = client.post("/v1/customers/ann/referral", headers=ingest)
    # then it is the same code, with the default programme's link
    assert first.status_code == 200, first.text
    code = first.json()["code"]
    assert second.json()["code"] == code
    assert first.json()["link"] == f"https://shop.example/?ref={code}"
    # when bob's first order carries it, paid a day ago, and its window of 14 days closes
    paid_at = now - timedelta(days=1)
    sent = client.post("/v1/events", json=order("o-1", "bob", paid_at, referral_code=code), headers=ingest)
    assert sent.json()["accepted"] == 2
    catch_up(engine, now)
    with engine.begin() as connection:
        do_reward_referrals(connection, CONFIG, now + timedelta(days=13))
    # then
    page = client.get("/v1/customers/ann/referral", headers=read).json()
    assert page["points_earned"] == 300
    [friend] = page["friends"]
    assert (friend["friend_id"], friend["status"], friend["order_id"], friend["friend_points"]) == (
        "bob",
        "rewarded",
        "o-1",
        200,
    )
    bob = client.get("/v1/customers/bob/referral", headers=read).json()
    assert bob["code"] is None and bob["referred_by"]["referrer_id"] == "ann"
    loyalty = client.get("/v1/customers/bob/loyalty?programme=club", headers=read).json()
    assert loyalty["available"] == 200


def test_refusals_are_listed_for_admins_only_newest_first(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # given ann referring herself, and a made-up code
    add_customers(engine, ["ann"], now)
    ingest = headers_for("ingest")
    code = client.post("/v1/customers/ann/referral", headers=ingest).json()["code"]
    batch = [
        event("r-1", "referral", now - timedelta(hours=2), "ann", referral_code=code),
        event("r-2", "referral", now - timedelta(hours=1), "bob", referral_code="QQQQ-QQQQ-QQ"),
    ]
    client.post("/v1/events", json=batch, headers=ingest)
    catch_up(engine, now)
    # when
    denied = client.get("/v1/referral-refusals", headers=headers_for("read"))
    listed = client.get("/v1/referral-refusals", headers=headers_for("admin"))
    only = client.get("/v1/referral-refusals?reason=self_referral", headers=headers_for("admin"))
    wrong = client.get("/v1/referral-refusals?reason=cheating", headers=headers_for("admin"))
    # then
    assert denied.status_code == 403
    assert [(r["source"], r["reason"]) for r in listed.json()] == [
        ("r-2", "unknown_code"),
        ("r-1", "self_referral"),
    ]
    assert [r["friend_id"] for r in only.json()] == ["ann"]
    assert wrong.status_code == 422


def test_bad_requests_name_what_is_wrong(
    client: TestClient, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    ingest = headers_for("ingest,read")
    unknown_customer = client.post("/v1/customers/nobody/referral", headers=ingest)
    unknown_programme = client.get("/v1/customers/ann/referral?programme=points", headers=ingest)
    unknown_reader = client.get("/v1/customers/nobody/referral", headers=ingest)
    assert unknown_customer.status_code == 404
    assert "no customer 'nobody'" in unknown_customer.text
    assert unknown_reader.status_code == 404
    assert unknown_programme.status_code == 422
    assert unknown_programme.json()["detail"] == [
        {"field": "programme", "message": "no programme 'points' with referrals"}
    ]


def test_the_club_page_shows_a_paid_membership(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # given bob bought the club product (the default programme's CLUB-12M); ann did not
    add_customers(engine, ["ann"], now)
    client.post(
        "/v1/events",
        json=order("o-9", "bob", now - timedelta(days=1), sku="CLUB-12M"),
        headers=headers_for("ingest"),
    )
    catch_up(engine, now)
    # when
    bob = client.get("/v1/customers/bob/club", headers=headers_for("read")).json()
    ann = client.get("/v1/customers/ann/club", headers=headers_for("read")).json()
    nobody = client.get("/v1/customers/nobody/club", headers=headers_for("read"))
    # then
    assert (bob["member"], bob["status"], bob["via"]) == (True, "active", "paid")
    assert bob["ends_at"].startswith("2027-05-31")
    assert [term["source"] for term in bob["terms"]] == ["order:o-9"]
    assert (ann["member"], ann["status"], ann["terms"]) == (False, None, [])
    assert nobody.status_code == 404 and "no customer 'nobody'" in nobody.text
