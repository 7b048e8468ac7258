"""GET and POST /v1/customers/{id}/offers: the codes a customer holds, a preview of the policy's
decision that issues nothing, and issuing once per occasion key; unknown customers are 404, bad
occasions 422."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.integration.offers.offer_fixture import customer, shop


def test_an_offer_is_issued_once_and_then_held(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    shop(engine, now)
    customer(engine, now, "anna")
    body = {"occasion": "cart", "occasion_key": "cart-42"}
    first = client.post("/v1/customers/anna/offers", json=body, headers=auth)
    again = client.post("/v1/customers/anna/offers", json=body, headers=auth)
    assert first.status_code == 200, first.text
    assert again.json() == first.json()
    issued = first.json()
    assert issued["offer"] == "free_delivery" and issued["code"].startswith("CART-")
    assert issued["valid_until"] == "2026-06-04T00:00:00Z"
    assert issued["reasons"][-1] == "a free delivery ≈ 300 ₽"
    held = client.get("/v1/customers/anna/offers", headers=auth).json()
    assert [offer["code"] for offer in held["offers"]] == [issued["code"]]
    assert held["preview"] is None


def test_a_preview_shows_the_decision_with_reasons_and_issues_nothing(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    shop(engine, now)
    customer(engine, now, "anna", propensity="discount_seeker")
    answer = client.get("/v1/customers/anna/offers", params={"occasion": "viewed"}, headers=auth)
    assert answer.status_code == 200, answer.text
    preview = answer.json()["preview"]
    assert (preview["offer"], preview["size"], preview["code"]) == ("percent", "10", None)
    assert "a discount-seeker → a discount first" in preview["reasons"]
    assert client.get("/v1/customers/anna/offers", headers=auth).json()["offers"] == []


def test_unknown_customers_and_occasions_are_refused(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    shop(engine, now)
    customer(engine, now, "anna")
    assert client.get("/v1/customers/ghost/offers", headers=auth).status_code == 404
    body = {"occasion": "cart", "occasion_key": "k"}
    assert client.post("/v1/customers/ghost/offers", json=body, headers=auth).status_code == 404
    easter = client.get("/v1/customers/anna/offers", params={"occasion": "easter"}, headers=auth)
    assert easter.status_code == 422
    bad = {"occasion": "easter", "occasion_key": "k"}
    assert client.post("/v1/customers/anna/offers", json=bad, headers=auth).status_code == 422
    blank = {"occasion": "cart", "occasion_key": " "}
    assert client.post("/v1/customers/anna/offers", json=blank, headers=auth).status_code == 422


def test_templates_show_the_customers_best_valid_offer(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    shop(engine, now)
    customer(engine, now, "anna", propensity="discount_seeker")
    admin = headers_for("admin")
    issued = client.post(
        "/v1/customers/anna/offers", json={"occasion": "viewed", "occasion_key": "SKU-1"}, headers=admin
    ).json()
    template = {
        "default_locale": "ru",
        "channels": {
            "sms": {
                "ru": {
                    "text": "{% if offer %}{{ offer.size }} % по коду {{ offer.code }}"
                    " до {{ date(offer.expires_at, 'd MMMM') }}{% else %}без скидки{% endif %}"
                }
            }
        },
    }
    assert client.put("/v1/templates/back", json=template, headers=admin).status_code == 200
    shown = client.post(
        "/v1/templates/back/preview", json={"customer_id": "anna", "channel": "sms"}, headers=admin
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["text"] == f"10 % по коду {issued['code']} до 5 июня"
    assert client.put("/v1/customers/boris", json={"first_name": "Борис"}, headers=admin).status_code == 200
    other = client.post(
        "/v1/templates/back/preview", json={"customer_id": "boris", "channel": "sms"}, headers=admin
    )
    assert other.json()["text"] == "без скидки"
