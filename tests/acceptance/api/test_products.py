"""The catalogue over HTTP: one product by SKU, or up to 10,000 at once with per-item rejections."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_put_then_get_a_product(client: TestClient, auth: dict[str, str]) -> None:
    # given
    product = {
        "name": "Cat food 2 kg",
        "category": "pets",
        "brand": "Miu",
        "price": "1299.90",
        "currency": "RUB",
        "margin": "0.25",
        "complements": ["bowl-1"],
        "consumption_days": 30,
    }
    # when
    put = client.put("/v1/products/food-2kg", json=product, headers=auth)
    got = client.get("/v1/products/food-2kg", headers=auth)
    # then
    assert put.status_code == 200
    assert got.json() == put.json()
    assert got.json()["price"] == "1299.90"
    assert got.json()["margin"] == "0.2500"
    assert got.json()["sku"] == "food-2kg"


def test_a_price_sent_as_a_number_stays_exact(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put("/v1/products/s1", json={"name": "x", "price": 0.1}, headers=auth)
    # then
    assert response.json()["price"] == "0.10"


def test_an_unknown_product_is_404(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.get("/v1/products/none", headers=auth)
    # then
    assert response.status_code == 404


def test_a_wrong_product_is_422_naming_the_field(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put(
        "/v1/products/s1", json={"name": "x", "price": "-1", "currency": "ZZZ"}, headers=auth
    )
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["price", "currency"]


def test_bulk_stores_the_valid_products_and_names_the_rest(client: TestClient, auth: dict[str, str]) -> None:
    # given
    products = [
        {"sku": "a", "name": "A", "price": "10"},
        {"sku": "b", "price": "10"},
        {"sku": "c", "name": "C", "price": "ten"},
        {"name": "no sku"},
        {"sku": "a", "name": "A again", "price": "12"},
        "not an object",
    ]
    # when
    response = client.post("/v1/products", json={"products": products}, headers=auth)
    # then
    assert response.status_code == 200
    answer = response.json()
    assert answer["accepted"] == 2
    assert [(r["index"], r["sku"], [e["field"] for e in r["errors"]]) for r in answer["rejected"]] == [
        (1, "b", ["name"]),
        (2, "c", ["price"]),
        (3, None, ["sku"]),
        (5, None, [""]),
    ]
    assert client.get("/v1/products/a", headers=auth).json()["name"] == "A again"
    assert client.get("/v1/products/b", headers=auth).status_code == 404


def test_bulk_over_the_limit_is_413(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.post(
        "/v1/products", json=[{"sku": f"s{n}", "name": "x"} for n in range(10_001)], headers=auth
    )
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": "a batch holds at most 10000 items, got 10001"}


def test_an_attribute_number_beyond_64_bits_is_422_not_a_server_error(
    client: TestClient, auth: dict[str, str]
) -> None:
    # found by the schemathesis run: the store encodes JSON with 64-bit integers
    body = '{"name": "Item", "attributes": {"size": -9223372036854775809}}'
    headers = {**auth, "Content-Type": "application/json"}
    # when
    response = client.put("/v1/products/s1", content=body, headers=headers)
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["attributes"]
    assert client.get("/v1/products/s1", headers=auth).status_code == 404


def test_attributes_over_64_kib_are_422_naming_them(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put(
        "/v1/products/s1", json={"name": "Item", "attributes": {"blob": "x" * 65_536}}, headers=auth
    )
    # then
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["field"], error["message"]) == (
        "attributes",
        "Value error, larger than 65536 bytes as JSON (65547 bytes)",
    )
    assert client.get("/v1/products/s1", headers=auth).status_code == 404


def test_a_nul_character_is_refused_per_product_naming_the_field(
    client: TestClient, auth: dict[str, str]
) -> None:
    # given: PostgreSQL cannot store it, and used to fail the whole batch with its own message
    products = [
        {"sku": "a", "name": "Coffee\u0000"},
        {"sku": "b", "name": "Tea"},
        {"sku": "c\u0000", "name": "Cocoa"},
        {"sku": "d", "name": "Mate", "complements": ["b", "x\u0000"], "attributes": {"k\u0000": 1}},
    ]
    # when
    response = client.post("/v1/products", json=products, headers=auth)
    # then
    assert response.status_code == 200
    answer = response.json()
    assert answer["accepted"] == 1
    assert [(r["index"], [(e["field"], e["message"]) for e in r["errors"]]) for r in answer["rejected"]] == [
        (0, [("name", "Value error, contains a NUL character (\\u0000)")]),
        (2, [("sku", "Value error, contains a NUL character (\\u0000)")]),
        (
            3,
            [
                ("complements", "Value error, contains a NUL character (\\u0000)"),
                ("attributes", "Value error, contains a NUL character (\\u0000)"),
            ],
        ),
    ]
    assert client.get("/v1/products/b", headers=auth).json()["name"] == "Tea"
    assert client.get("/v1/products/a", headers=auth).status_code == 404


def test_a_nul_character_in_a_put_product_is_422(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put("/v1/products/a", json={"name": "Coffee", "brand": "R\u0000"}, headers=auth)
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["brand"]
    assert client.get("/v1/products/a", headers=auth).status_code == 404


def test_an_integer_beyond_64_bits_in_a_bulk_product_is_rejected_not_made_a_float(
    client: TestClient, auth: dict[str, str]
) -> None:
    # given
    big = b'{"sku": "a", "name": "A", "attributes": {"size": 18446744073709551616}}'
    body = b"[" + big + b', {"sku": "b", "name": "B"}]'
    # when
    response = client.post("/v1/products", content=body, headers={**auth, "Content-Type": "application/json"})
    # then
    answer = response.json()
    assert answer["accepted"] == 1
    assert [(r["index"], [e["field"] for e in r["errors"]]) for r in answer["rejected"]] == [
        (0, ["attributes"])
    ]
    assert "64-bit" in answer["rejected"][0]["errors"][0]["message"]
    assert client.get("/v1/products/a", headers=auth).status_code == 404


@pytest.mark.parametrize("margin", ["-1", "-0.01", "1.5"])
def test_a_margin_outside_0_to_1_is_422(client: TestClient, auth: dict[str, str], margin: str) -> None:
    # when
    response = client.put("/v1/products/s1", json={"name": "Item", "margin": margin}, headers=auth)
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["margin"]
    assert client.get("/v1/products/s1", headers=auth).status_code == 404


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_number_that_is_not_finite_in_attributes_is_422(
    client: TestClient, auth: dict[str, str], number: bytes
) -> None:
    # given
    body = b'{"name": "Item", "attributes": {"weight": ' + number + b"}}"
    # when
    response = client.put(
        "/v1/products/s1", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "attributes", "message": "Value error, holds a number that is not finite (NaN or Infinity)"}
    ]
