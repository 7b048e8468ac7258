"""The checkout through the HTTP API: one call answers everything about a cart; a reservation holds
it all or nothing; commit, release and their refusals; every bad input names its field and rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from tests.integration.loyalty.checkout_fixture import Shop, open_shop, state_of

CART = {
    "currency": "RUB",
    "lines": [
        {"sku": "MUG", "quantity": 2, "price": "450.00", "category": "kitchen"},
        {"sku": "TEA", "quantity": 1, "price": "300.00", "category": "tea"},
        {"sku": "BOOK", "quantity": 1, "price": "1000.00", "category": "books"},
    ],
}


def _body(shop: Shop, **changes: Any) -> dict[str, Any]:
    body = {
        "customer_id": "anna",
        "cart": CART,
        "codes": [shop.code.lower()],
        "gift_cards": [{"code": shop.gift_card}],
        "points": 500,
    }
    return body | changes


def test_one_call_answers_everything_about_the_cart(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # given a code, an automatic promotion on tea, a card and 1,000 points
    shop = open_shop(engine, now)
    admin, shop_key = headers_for("admin"), headers_for("ingest")
    promotion = {"name": "tea-week", "count": 0, "currency": "RUB", "percent_off": "20"}
    promotion |= {"categories": ["tea"], "automatic": True}
    assert client.post("/v1/coupon-pools", json=promotion, headers=admin).status_code == 201
    # when
    body = _body(shop, codes=[shop.code, "SPR-2222-2222-2222"])
    answer = client.post("/v1/checkout/calculate", json=body, headers=shop_key)
    # then
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [(a["kind"], a["discount"]) for a in result["applied"]] == [
        ("promotion", "60.00"),
        ("coupon", "214.00"),
    ]
    assert [line["discount"] for line in result["lines"]] == ["90.00", "84.00", "100.00"]
    assert result["refused"] == [
        {
            "kind": "coupon",
            "index": 1,
            "field": "codes[1]",
            "code": "SPR-2222-2222-2222",
            "reason": "unknown_code",
            "message": "no such code",
        }
    ]
    assert result["points"] == {
        "balance": 1000,
        "most": 577,  # 30 % of 1,926 ₽
        "refused": None,
        "used": 500,
        "value": "500.00",
        "earned": 71,  # 5 per 100 ₽ of the 1,426 ₽ paid
    }
    assert result["gift_cards"][0]["amount"] == "1426.00" and result["to_pay"] == "0.00"
    assert result["tier"]["id"] == "base" and result["programme"] == "club"
    # and nothing was held
    assert state_of(engine, shop)["code_uses"] == 0 and state_of(engine, shop)["points"] == 1000


def test_reserve_commit_and_the_refusals_after_it(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    shop = open_shop(engine, now)
    shop_key, reader = headers_for("ingest"), headers_for("read")
    body = _body(shop, request_key="cart-7:1", cart_id="cart-7")
    # when reserved, twice with the same key
    first = client.post("/v1/checkout/reservations", json=body, headers=shop_key)
    again = client.post("/v1/checkout/reservations", json=body, headers=shop_key)
    assert first.status_code == 200, first.text
    reservation = first.json()
    assert again.json() == reservation and reservation["state"] == "reserved"
    assert client.get(f"/v1/checkout/reservations/{reservation['id']}", headers=reader).json() == reservation
    # when committed twice with the order
    url = f"/v1/checkout/reservations/{reservation['id']}"
    commits = [client.post(f"{url}/commit", json={"order_id": "order-1"}, headers=shop_key) for _ in range(2)]
    assert [c.status_code for c in commits] == [200, 200]
    assert commits[1].json()["state"] == "committed"
    # then another order, and a release, are conflicts naming the rule
    other = client.post(f"{url}/commit", json={"order_id": "order-2"}, headers=shop_key)
    release = client.post(f"{url}/release", headers=shop_key)
    assert (other.status_code, other.json()["detail"][0]["rule"]) == (409, "committed")
    assert (release.status_code, release.json()["detail"][0]["rule"]) == (409, "committed")
    # and a read key cannot reserve, an unknown reservation is a 404
    assert client.post("/v1/checkout/reservations", json=body, headers=reader).status_code == 403
    assert client.get("/v1/checkout/reservations/999", headers=reader).status_code == 404


def test_release_gives_everything_back_and_a_commit_after_it_is_refused(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    shop = open_shop(engine, now)
    shop_key = headers_for("ingest")
    before = state_of(engine, shop)
    body = _body(shop, request_key="cart-8:1", cart_id="cart-8")
    reservation = client.post("/v1/checkout/reservations", json=body, headers=shop_key).json()
    url = f"/v1/checkout/reservations/{reservation['id']}"
    released = [client.post(f"{url}/release", headers=shop_key) for _ in range(2)]
    assert [r.json()["state"] for r in released] == ["released", "released"]
    assert state_of(engine, shop) == before | {"uses": {"released": 1}}
    commit = client.post(f"{url}/commit", json={"order_id": "order-1"}, headers=shop_key)
    assert commit.status_code == 409 and commit.json()["detail"][0]["rule"] == "released"


def test_bad_input_names_the_field_and_rule_and_holds_nothing(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    shop = open_shop(engine, now)
    shop_key = headers_for("ingest")
    before = state_of(engine, shop)
    negative = CART | {"lines": [{"sku": "MUG", "quantity": 1, "price": "-1"}]}
    cases: list[tuple[dict[str, Any], str, str | None]] = [
        ({"points": 1001}, "points", "balance"),
        ({"points": 700}, "points", "max_share"),
        ({"points": -5}, "points", None),
        ({"cart": CART | {"currency": "USD"}}, "cart.currency", "wrong_currency"),
        ({"cart": negative}, "cart.lines.0.price", None),
        ({"codes": ["SPR-2222-2222-2222"]}, "codes[0]", "unknown_code"),
        ({"codes": ["SPR-O000"]}, "codes[0]", "invalid_code"),
        ({"gift_cards": [{"code": "GC-2222-2222-2222-2222"}]}, "gift_cards[0]", "unknown_gift_card"),
        (
            {"gift_cards": [{"code": shop.gift_card, "amount": "5000.00"}]},
            "gift_cards[0]",
            "insufficient_balance",
        ),
        ({"programme": "nope"}, "programme", "unknown_programme"),
    ]
    for number, (changes, field, rule) in enumerate(cases):
        body = _body(shop, request_key=f"bad-{number}", cart_id="cart-9") | changes
        response = client.post("/v1/checkout/reservations", json=body, headers=shop_key)
        assert response.status_code == 422, (changes, response.text)
        detail = response.json()["detail"][0]
        assert detail["field"] == field, (changes, detail)
        if rule is not None:
            assert detail["rule"] == rule, (changes, detail)
    assert state_of(engine, shop) == before


def test_guessing_codes_through_the_checkout_is_limited_as_through_validate(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    shop = open_shop(engine, now)
    shop_key = headers_for("ingest")
    # when ten wrong codes are tried, two at a time
    for attempt in "ABCDE":
        guesses = [f"SPR-2222-2222-22{attempt}{n}" for n in (2, 3)]
        calculated = client.post("/v1/checkout/calculate", json=_body(shop, codes=guesses), headers=shop_key)
        assert calculated.json()["refused"][0]["reason"] == "unknown_code"
    # then the real code is refused too, for the rest of the hour, and an alert is logged
    answer = client.post("/v1/checkout/calculate", json=_body(shop), headers=shop_key).json()
    assert [(r["field"], r["reason"]) for r in answer["refused"]] == [("codes[0]", "too_many_attempts")]
    reserve = client.post(
        "/v1/checkout/reservations", json=_body(shop, request_key="k", cart_id="c"), headers=shop_key
    )
    assert (reserve.status_code, reserve.json()["detail"][0]["rule"]) == (422, "too_many_attempts")
    with engine.connect() as connection:
        alerts = connection.execute(
            text("SELECT count(*) FROM events WHERE type = 'coupon_guessing_refused'")
        ).scalar_one()
    assert alerts >= 1
    assert state_of(engine, shop)["code_uses"] == 0


def test_an_automatic_promotion_with_codes_is_refused_and_not_stored(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    admin = headers_for("admin")
    promotion = {"name": "tea", "currency": "RUB", "percent_off": "20", "automatic": True}
    with_codes = client.post("/v1/coupon-pools", json=promotion | {"count": 10}, headers=admin)
    limited = client.post(
        "/v1/coupon-pools", json=promotion | {"count": 0, "uses_per_code": 1}, headers=admin
    )
    assert (with_codes.status_code, with_codes.json()["detail"][0]["field"]) == (422, "count")
    assert (limited.status_code, limited.json()["detail"][0]["field"]) == (422, "uses_per_code")
    assert client.post("/v1/coupon-pools", json=promotion | {"count": 0}, headers=admin).status_code == 201
