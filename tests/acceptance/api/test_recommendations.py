"""GET /v1/customers/{id}/recommendations and /v1/products/{sku}/related over real HTTP: lists with
reasons from the trained models through the business rules; fallbacks for what the models do not
know; a clear 422 for a bad parameter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.integration.offers.shop import add_products, cart, order, returned, send, tea_shop

from retentio.offers import RecsConfig, do_train_recs
from retentio.offers.recs.config import Training

CONFIG = RecsConfig(training=Training(min_support=0.01, min_confidence=0.1))


def _trained(engine: Engine, now: datetime) -> None:
    tea_shop(engine, now)
    do_train_recs(engine, CONFIG, now)


def _get(client: TestClient, url: str, auth: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(url, params=params, headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_cart_gets_what_goes_with_its_items_with_reasons(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _trained(engine, now)
    body = _get(client, "/v1/customers/new-1/recommendations", auth, context="cart", sku=["TEA"], limit=5)
    kinds = {item["sku"]: (item["kind"], item["reason"]) for item in body["items"]}
    assert kinds["MUG"] == ("complement", "goes with TEA (catalogue)")
    assert kinds["LEMON"][0] == "bought_together"
    assert kinds["LEMON"][1] == "bought together with TEA in 23 % of baskets, lift 2.2"
    assert kinds["TEA-GOLD"][0] == "upsell"
    assert "TEA" not in kinds  # not what the cart holds
    assert body["model_version"] == 1


def test_the_cart_is_read_from_the_latest_cart_event_when_none_is_sent(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _trained(engine, now)
    send(engine, [cart("shopper", now - timedelta(hours=1), ["COFFEE"])], now)
    body = _get(client, "/v1/customers/shopper/recommendations", auth, context="cart")
    skus = [item["sku"] for item in body["items"]]
    assert skus[:2] == ["MILK", "SUGAR"]


def test_the_product_page_and_related_kinds(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _trained(engine, now)
    upsell = _get(client, "/v1/products/TEA/related", auth, kind="upsell")["items"]
    assert upsell[0]["sku"] == "TEA-GOLD" and upsell[0]["kind"] == "upsell"
    nxt = _get(client, "/v1/products/TEA/related", auth, kind="next")["items"]
    assert nxt[0]["kind"] == "next" and "customers who bought TEA" in nxt[0]["reason"]
    together = _get(client, "/v1/products/COFFEE/related", auth)["items"]
    assert [i["sku"] for i in together[:2]] == ["MILK", "SUGAR"]
    page = _get(client, "/v1/customers/c000/recommendations", auth, context="product", sku="COFFEE")
    assert page["items"][0]["sku"] in {"MILK", "SUGAR"}


def test_email_blends_the_next_basket_with_customers_like_you(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _trained(engine, now)
    body = _get(client, "/v1/customers/c001/recommendations", auth, context="email", limit=5)
    kinds = {item["kind"] for item in body["items"]}
    assert kinds & {"next_basket", "similar"}
    assert all(item["reason"] for item in body["items"])


def test_fallbacks_for_what_the_models_do_not_know(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    # before any training: an empty list, not an error
    add_products(engine, now)
    empty = _get(client, "/v1/customers/nobody/recommendations", auth, context="home")
    assert empty == {"customer_id": "nobody", "context": "home", "model_version": None, "items": []}
    _trained(engine, now)
    # no history: popular overall
    home = _get(client, "/v1/customers/nobody/recommendations", auth, context="home", limit=3)
    assert [i["kind"] for i in home["items"]] == ["popular"] * 3
    assert home["items"][0]["reason"] == "popular overall"
    # a cart of unknown SKUs, or none: still popular items
    unknown = _get(client, "/v1/customers/nobody/recommendations", auth, context="cart", sku="NO-SUCH")
    assert unknown["items"] and unknown["items"][0]["kind"] == "popular"
    assert _get(client, "/v1/customers/nobody/recommendations", auth, context="cart")["items"]
    assert _get(client, "/v1/products/NO-SUCH/related", auth, kind="upsell")["items"]


def test_a_deleted_or_sold_out_product_is_popular_in_its_category_instead(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _trained(engine, now)
    # the catalogue marks LEMON sold out and HONEY inactive after training
    add_products(engine, now, LEMON={"in_stock": False}, HONEY={"active": False})
    items = _get(client, "/v1/products/TEA/related", auth, limit=20)["items"]
    skus = {item["sku"] for item in items}
    assert "LEMON" not in skus and "HONEY" not in skus and "MUG" in skus


def test_business_rules_on_a_customers_list(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    _trained(engine, now)
    # c000 bought TEA, LEMON, HONEY, TEA-GOLD and the low-margin CAKE; returns HONEY now
    send(engine, [returned("c000", "c000-1", now - timedelta(days=1), "HONEY")], now)
    send(engine, order("c000", "c000-new", now - timedelta(days=2), ["MILK"]), now)
    body = _get(client, "/v1/customers/c000/recommendations", auth, context="email", limit=20)
    skus = [item["sku"] for item in body["items"]]
    assert "HONEY" not in skus  # returned
    assert "MILK" not in skus  # just bought, and its 20 days have not run down
    assert "TEA" in skus  # bought 200 days ago, a consumable of 30 days: due
    assert len(skus) == len(set(skus))


def test_bad_parameters_get_a_422_naming_them(client: TestClient, auth: dict[str, str]) -> None:
    cases = [
        ("/v1/customers/c1/recommendations", {"context": "basket"}, "context"),
        ("/v1/customers/c1/recommendations", {}, "context"),
        ("/v1/customers/c1/recommendations", {"context": "home", "limit": 0}, "limit"),
        ("/v1/customers/c1/recommendations", {"context": "home", "limit": 101}, "limit"),
        ("/v1/products/TEA/related", {"kind": "cheaper"}, "kind"),
    ]
    for url, params, name in cases:
        response = client.get(url, params=params, headers=auth)
        assert response.status_code == 422, (url, params, response.text)
        assert name in response.text


def test_templates_show_the_customers_email_list(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    _trained(engine, now)
    admin = headers_for("admin")
    assert client.put("/v1/customers/c001", json={"first_name": "Anna"}, headers=admin).status_code == 200
    template = {
        "default_locale": "en",
        "channels": {
            "sms": {
                "en": {
                    "text": "{% for item in recommendations %}{{ item.sku }}: {{ item.reason }}; {% endfor %}"
                }
            }
        },
    }
    assert client.put("/v1/templates/recs", json=template, headers=admin).status_code == 200
    shown = client.post(
        "/v1/templates/recs/preview", json={"customer_id": "c001", "channel": "sms"}, headers=admin
    )
    assert shown.status_code == 200, shown.text
    listed = _get(client, "/v1/customers/c001/recommendations", headers_for("read"), context="email", limit=6)
    expected = "".join(f"{item['sku']}: {item['reason']}; " for item in listed["items"])
    assert expected and shown.json()["text"] == expected.strip()  # a text is sent trimmed
