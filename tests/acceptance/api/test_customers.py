"""PUT and GET /v1/customers/{customer_id}: the record, its aggregates and its consent history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import event, item
from tests.merge_fixture import MERGE_OPTIONS

from retentio.ingest.merge import do_merge_customers


def test_put_creates_the_customer(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put(
        "/v1/customers/c1",
        json={
            "email": "Anna@Example.COM",
            "phone": "8 (912) 345-67-89",
            "timezone": "Europe/Moscow",
            "birthday": "1990-04-05",
            "attributes": {"tier": "gold", "kids": 2},
            "consents": [{"channel": "email", "granted": True, "source": "checkout"}],
        },
        headers=auth,
    )
    # then
    assert response.status_code == 200
    record = response.json()
    assert record["customer_id"] == "c1"
    assert (record["email"], record["phone"]) == ("Anna@example.com", "+79123456789")
    assert record["birthday"] == "1990-04-05"
    assert record["attributes"] == {"tier": "gold", "kids": 2}
    assert record["consents"] == {"email": True}
    assert record["merged_into"] is None


def test_put_changes_only_the_fields_given(client: TestClient, auth: dict[str, str]) -> None:
    # given
    client.put("/v1/customers/c1", json={"email": "a@example.com", "first_name": "Anna"}, headers=auth)
    # when
    response = client.put("/v1/customers/c1", json={"first_name": "Anya"}, headers=auth)
    # then
    assert (response.json()["email"], response.json()["first_name"]) == ("a@example.com", "Anya")


def test_put_merges_attributes_and_a_null_removes_one(client: TestClient, auth: dict[str, str]) -> None:
    # given
    client.put("/v1/customers/c1", json={"attributes": {"tier": "gold", "city": "Kazan"}}, headers=auth)
    # when
    response = client.put("/v1/customers/c1", json={"attributes": {"city": None, "kids": 2}}, headers=auth)
    # then
    assert response.status_code == 200
    assert response.json()["attributes"] == {"tier": "gold", "kids": 2}


def test_put_records_a_consent_only_when_it_changes(client: TestClient, auth: dict[str, str]) -> None:
    # given
    opt_in = {"consents": [{"channel": "email", "granted": True, "source": "checkout"}]}
    client.put("/v1/customers/c1", json=opt_in, headers=auth)
    # when
    client.put("/v1/customers/c1", json=opt_in, headers=auth)
    client.put("/v1/customers/c1", json={**opt_in, "first_name": "Anna"}, headers=auth)
    # then
    history = client.get("/v1/customers/c1", headers=auth).json()["consent_history"]
    assert [(c["channel"], c["granted"], c["source"]) for c in history] == [("email", True, "checkout")]


def test_get_shows_record_profile_and_consent_history(
    client: TestClient, auth: dict[str, str], now: datetime
) -> None:
    # given
    client.put("/v1/customers/c1", json={"consents": [{"channel": "sms", "granted": True}]}, headers=auth)
    client.put("/v1/customers/c1", json={"consents": [{"channel": "sms", "granted": False}]}, headers=auth)
    order = event(
        "e1",
        "order_placed",
        now,
        "c1",
        order_id="o1",
        items=[item("s1", 3, "10.50")],
        total="31.50",
        currency="RUB",
    )
    client.post("/v1/events", json=[order], headers=auth)
    # when
    response = client.get("/v1/customers/c1", headers=auth)
    # then
    assert response.status_code == 200
    view = response.json()
    assert view["customer"]["consents"] == {"sms": False}
    assert [(c["channel"], c["granted"]) for c in view["consent_history"]] == [("sms", True), ("sms", False)]
    assert view["profile"]["orders"] == 1
    assert view["profile"]["revenue"] == "31.50"
    assert view["profile"]["average_check"] == "31.50"
    assert view["profile"]["first_order_at"] == now.isoformat()


def test_an_unknown_customer_is_404(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.get("/v1/customers/nobody", headers=auth)
    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "no customer 'nobody'"}


def test_a_merged_away_customer_points_at_the_survivor(
    client: TestClient, auth: dict[str, str], engine: Engine, now: datetime
) -> None:
    # given
    client.put("/v1/customers/keep", json={}, headers=auth)
    client.put("/v1/customers/gone", json={"email": "gone@example.com"}, headers=auth)
    do_merge_customers(engine, "keep", "gone", now, MERGE_OPTIONS)
    # when
    gone = client.get("/v1/customers/gone", headers=auth).json()
    kept = client.get("/v1/customers/keep", headers=auth).json()
    # then
    assert gone["customer"]["merged_into"] == "keep"
    assert kept["customer"]["email"] == "gone@example.com"


def test_a_wrong_field_is_422_naming_it(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put(
        "/v1/customers/c1",
        json={"email": "not-an-email", "consents": [{"channel": "pigeon", "granted": True}], "extra": 1},
        headers=auth,
    )
    # then
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["detail"]]
    assert fields == ["email", "consents.0.channel", "extra"]
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


def test_a_customer_id_over_128_characters_is_422(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put(f"/v1/customers/{'x' * 129}", json={}, headers=auth)
    # then
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "customer_id", "message": "String should have at most 128 characters"}]
    }


def test_a_customer_id_with_a_nul_character_is_422(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put("/v1/customers/a%00b", json={}, headers=auth)
    # then
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["customer_id"]


def test_a_body_that_is_not_json_is_400(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put(
        "/v1/customers/c1", content=b'{"email": ', headers={**auth, "Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 400
    assert response.json()["detail"].startswith("body is not valid JSON")


def test_an_attribute_number_beyond_64_bits_is_422(client: TestClient, auth: dict[str, str]) -> None:
    body = '{"email": "a@example.com", "attributes": {"points": 18446744073709551616}}'
    response = client.put(
        "/v1/customers/c-big", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["attributes"]


def test_a_consent_time_out_of_range_is_422_and_stores_nothing(
    client: TestClient, auth: dict[str, str]
) -> None:
    # given
    consent = {"channel": "email", "granted": True, "changed_at": "9999-12-31T23:00:00-02:00"}
    # when
    response = client.put("/v1/customers/c1", json={"consents": [consent]}, headers=auth)
    # then
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "consents.0.changed_at"
    assert "out of range" in error["message"]
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


def test_a_consent_dated_beyond_the_tolerance_is_422_and_stores_nothing(
    client: TestClient, auth: dict[str, str]
) -> None:
    # given
    consent = {"channel": "email", "granted": True, "changed_at": "2100-01-01T00:00:00Z"}
    # when
    response = client.put(
        "/v1/customers/c1", json={"first_name": "Anna", "consents": [consent]}, headers=auth
    )
    # then
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "consents.0.changed_at",
                "message": "2100-01-01T00:00:00+00:00 is in the future (more than 86400 s ahead)",
            }
        ]
    }
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


def _big_customer_body(chunks_of_a_mib: int) -> Iterator[bytes]:
    yield b'{"attributes": {"blob": "'
    for _ in range(chunks_of_a_mib):
        yield b"x" * (1024 * 1024)
    yield b'"}}'


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_64_mib_is_413_and_stores_nothing(
    client: TestClient, auth: dict[str, str], declared: bool
) -> None:
    # given
    chunks = _big_customer_body(65)
    body = b"".join(chunks) if declared else chunks
    # when
    response = client.put(
        "/v1/customers/c1", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": "the body is larger than 64 MiB"}
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


def test_attributes_over_64_kib_are_422_naming_them(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.put("/v1/customers/c1", json={"attributes": {"blob": "x" * 65_536}}, headers=auth)
    # then
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "attributes"
    assert "larger than 65536 bytes as JSON" in error["message"]
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


def test_attributes_growing_past_64_kib_over_calls_are_422_and_keep_what_was_stored(
    client: TestClient, auth: dict[str, str]
) -> None:
    # given
    first = client.put("/v1/customers/c1", json={"attributes": {"a": "x" * 40_000}}, headers=auth)
    # when
    second = client.put(
        "/v1/customers/c1", json={"first_name": "Anna", "attributes": {"b": "y" * 40_000}}, headers=auth
    )
    # then
    assert first.status_code == 200
    assert second.status_code == 422
    assert second.json() == {
        "detail": [
            {
                "field": "attributes",
                "message": "the customer's attributes would be 80015 bytes as JSON, larger than 65536"
                " (remove keys by sending them as null)",
            }
        ]
    }
    stored = client.get("/v1/customers/c1", headers=auth).json()["customer"]
    assert (list(stored["attributes"]), stored["first_name"]) == (["a"], None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "An\u0000na"}, "first_name"),
        ({"last_name": "\u0000"}, "last_name"),
        ({"email": "an\u0000na@example.com"}, "email"),
        ({"telegram_id": "t\u0000"}, "telegram_id"),
        ({"push_tokens": ["ok", "t\u0000"]}, "push_tokens"),
        ({"attributes": {"city": "Ka\u0000zan"}}, "attributes"),
        ({"attributes": {"ci\u0000ty": "Kazan"}}, "attributes"),
        ({"attributes": {"nested": [{"deep": "\u0000"}]}}, "attributes"),
        ({"consents": [{"channel": "sms", "granted": True, "source": "sh\u0000op"}]}, "consents.0.source"),
    ],
)
def test_a_nul_character_is_422_naming_the_field_and_stores_nothing(
    client: TestClient, auth: dict[str, str], body: dict[str, object], field: str
) -> None:
    # when
    response = client.put("/v1/customers/c1", json=body, headers=auth)
    # then
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": field, "message": "Value error, contains a NUL character (\\u0000)"}]
    }
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(
    client: TestClient, auth: dict[str, str]
) -> None:
    # when
    response = client.put("/v1/customers/c1", json={"attributes": {"path": "C:\\u0000"}}, headers=auth)
    # then
    assert response.status_code == 200
    assert response.json()["attributes"] == {"path": "C:\\u0000"}


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_number_that_is_not_finite_in_attributes_is_422_not_stored_as_null(
    client: TestClient, auth: dict[str, str], number: bytes
) -> None:
    # given
    body = b'{"attributes": {"score": ' + number + b', "nested": {"ok": 1}}}'
    # when
    response = client.put(
        "/v1/customers/c1", content=body, headers={**auth, "Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "attributes", "message": "Value error, holds a number that is not finite (NaN or Infinity)"}
    ]
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("birthday", "message"),
    [
        ("2999-01-01", "2999-01-01 is in the future"),
        ("2026-06-02", "2026-06-02 is in the future"),
        ("1899-12-31", "Input should be greater than or equal to 1900-01-01"),
    ],
)
def test_a_birthday_in_the_future_or_before_1900_is_422(
    client: TestClient, auth: dict[str, str], birthday: str, message: str
) -> None:
    # when
    response = client.put("/v1/customers/c1", json={"first_name": "Anna", "birthday": birthday}, headers=auth)
    # then
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "birthday", "message": message}]}
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404


def test_a_birthday_today_is_taken(client: TestClient, auth: dict[str, str], now: datetime) -> None:
    # when
    response = client.put("/v1/customers/c1", json={"birthday": now.date().isoformat()}, headers=auth)
    # then
    assert response.status_code == 200
