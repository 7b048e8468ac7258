"""Coupon pools, code checks and gift cards through the HTTP API."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from retentio.events.tables import events

POOL = {"name": "spring", "count": 50, "prefix": "SPR", "currency": "RUB", "percent_off": "10"}
CART = {"currency": "RUB", "lines": [{"sku": "MUG", "quantity": 2, "unit_price": "450.00"}]}


def _pool(client: TestClient, admin: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/v1/coupon-pools", json=POOL | changes, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_read_and_export_a_pool(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    admin, reader = headers_for("admin"), headers_for("read")
    created = _pool(client, admin)
    stats = client.get(f"/v1/coupon-pools/{created['id']}", headers=reader).json()
    exported = client.get(f"/v1/coupon-pools/{created['id']}/codes", headers=admin)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert created["codes"] == stats["codes"] == 50 and stats["codes_used"] == 0
    assert exported.headers["content-type"].startswith("text/csv")
    assert len({row["code"] for row in rows}) == 50 and all(row["code"].startswith("SPR-") for row in rows)
    # the codes are for admins only, and an unknown pool is a 404
    assert client.get(f"/v1/coupon-pools/{created['id']}/codes", headers=reader).status_code == 403
    assert client.get("/v1/coupon-pools/999", headers=reader).status_code == 404


def test_a_wrong_pool_names_the_field_and_stores_nothing(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    admin = headers_for("admin")
    for changes, field in [
        ({"percent_off": None}, "discount"),
        ({"prefix": "WINTER"}, "prefix"),
        ({"percent_off": "10", "amount_off": "100"}, "discount"),
    ]:
        response = client.post("/v1/coupon-pools", json=POOL | changes, headers=admin)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["field"] == field
    assert client.post("/v1/coupon-pools", json=POOL | {"count": -1}, headers=admin).status_code == 422
    _pool(client, admin)  # the name was never taken by the refused ones


def test_validate_says_why_and_refuses_guessers(
    client: TestClient, headers_for: Callable[[str], dict[str, str]], engine: Engine
) -> None:
    admin, shop = headers_for("admin"), headers_for("ingest")
    created = _pool(client, admin, minimum_order="1000.00")
    code = next(
        csv.DictReader(io.StringIO(client.get(f"/v1/coupon-pools/{created['id']}/codes", headers=admin).text))
    )["code"]
    body = {"code": code.lower(), "customer_id": "anna", "cart": CART}
    below = client.post("/v1/coupons/validate", json=body, headers=shop).json()
    assert below == {
        "applies": False,
        "outcome": "below_minimum_order",
        "message": "the cart is below the coupon's minimum order",
    }
    big = CART | {"lines": [{"sku": "MUG", "quantity": 3, "unit_price": "450.00"}]}
    assert (
        client.post("/v1/coupons/validate", json=body | {"cart": big}, headers=shop).json()["applies"] is True
    )
    tried = ["SPR-2222-2222-2220", "SPR-2222-2222-222I"] + [f"SPR-2222-2222-22{n}" for n in range(22, 31)]
    outcomes = [
        client.post("/v1/coupons/validate", json=body | {"code": guess}, headers=shop).json()["outcome"]
        for guess in tried
    ]
    assert outcomes[:3] == ["invalid_code", "invalid_code", "unknown_code"]
    assert outcomes[-1] == "too_many_attempts"
    with engine.connect() as connection:
        alerts = connection.execute(
            select(events.c.type).where(events.c.type == "coupon_guessing_refused")
        ).all()
    assert len(alerts) == 2  # the customer and the address


def test_gift_card_issue_spend_and_refusals(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    admin, shop = headers_for("admin"), headers_for("ingest,read")
    card = client.post(
        "/v1/gift-cards",
        json={"amount": "500.00", "currency": "RUB", "source_key": "order-77"},
        headers=admin,
    )
    assert card.status_code == 201, card.text
    code = card.json()["code"]
    spend = {"amount": "120.50", "currency": "RUB", "source_key": "order-78", "order_id": "order-78"}
    spent = client.post(f"/v1/gift-cards/{code}/spend", json=spend, headers=shop)
    again = client.post(f"/v1/gift-cards/{code}/spend", json=spend, headers=shop)
    assert spent.status_code == again.status_code == 200 and spent.json() == again.json()
    wrong = client.post(
        f"/v1/gift-cards/{code}/spend", json=spend | {"currency": "EUR", "source_key": "x"}, headers=shop
    )
    too_much = client.post(
        f"/v1/gift-cards/{code}/spend", json=spend | {"amount": "400", "source_key": "y"}, headers=shop
    )
    assert wrong.status_code == too_much.status_code == 422
    assert (
        wrong.json()["detail"][0]["field"] == "currency" and too_much.json()["detail"][0]["field"] == "amount"
    )
    read = client.get(f"/v1/gift-cards/{code}", headers=shop).json()
    assert read["balance"] == "379.50" and [e["kind"] for e in read["entries"]] == ["issued", "spent"]
    assert client.get("/v1/gift-cards/GC-2222-2222-2222-2222", headers=shop).status_code == 404


def test_gift_card_top_ups_and_refunds_of_a_returned_order(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    admin, shop = headers_for("admin"), headers_for("ingest,read")
    issued = {"amount": "500.00", "currency": "RUB", "source_key": "sale-1"}
    code = client.post("/v1/gift-cards", json=issued, headers=admin).json()["code"]
    spend = {"amount": "300.00", "currency": "RUB", "source_key": "pay-5", "order_id": "order-5"}
    assert client.post(f"/v1/gift-cards/{code}/spend", json=spend, headers=shop).status_code == 200
    top_up = {"amount": "50.00", "currency": "RUB", "source_key": "payment-1"}
    topped = client.post(f"/v1/gift-cards/{code}/top-ups", json=top_up, headers=shop)
    assert topped.status_code == 200 and topped.json()["balance_after"] == "250.00"
    refund = {"amount": "120.00", "currency": "RUB", "source_key": "return-5", "order_id": "order-5"}
    refunded = client.post(f"/v1/gift-cards/{code}/refunds", json=refund, headers=shop)
    again = client.post(f"/v1/gift-cards/{code}/refunds", json=refund, headers=shop)
    assert refunded.status_code == 200 and refunded.json() == again.json()
    assert refunded.json()["balance_after"] == "370.00"
    beyond = client.post(
        f"/v1/gift-cards/{code}/refunds", json=refund | {"amount": "180.01", "source_key": "r2"}, headers=shop
    )
    assert beyond.status_code == 422
    [problem] = beyond.json()["detail"]
    assert problem["field"] == "amount" and "180.00 RUB of its spend" in problem["message"]
    no_order = client.post(
        f"/v1/gift-cards/{code}/refunds",
        json={k: v for k, v in refund.items() if k != "order_id"},
        headers=shop,
    )
    assert no_order.status_code == 422
    read = client.get(f"/v1/gift-cards/{code}", headers=shop).json()
    assert read["balance"] == "370.00"
    assert [e["kind"] for e in read["entries"]] == ["issued", "spent", "topped_up", "refunded"]
