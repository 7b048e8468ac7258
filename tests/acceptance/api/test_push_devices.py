"""POST and DELETE /v1/customers/{customer_id}/push-devices: the app or the site registers the device
it runs on and removes it at log-out; bad input is a 422 naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

SUBSCRIPTION = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
    "expirationTime": None,
    "keys": {"p256dh": "BNcRdreALRFX", "auth": "tBHItJI5svbp"},
}
URL = "/v1/customers/c1/push-devices"


def test_an_app_and_a_browser_register_and_the_customer_has_both(
    client: TestClient, auth: dict[str, str]
) -> None:
    # when
    phone = client.post(URL, json={"platform": "rustore", "token": "rs-1", "app_id": "shop"}, headers=auth)
    laptop = client.post(URL, json={"platform": "web", "subscription": SUBSCRIPTION}, headers=auth)
    # then
    assert (phone.status_code, laptop.status_code) == (200, 200)
    assert {
        key: phone.json()[key] for key in ("customer_id", "platform", "token", "app_id", "device_id")
    } == {
        "customer_id": "c1",
        "platform": "rustore",
        "token": "rs-1",
        "app_id": "shop",
        "device_id": None,
    }
    assert laptop.json()["token"] == SUBSCRIPTION["endpoint"]
    record = client.get("/v1/customers/c1", headers=auth).json()["customer"]
    assert record["push_tokens"][0] == "rs-1"
    assert record["push_tokens"][1].startswith('{"endpoint":"https://fcm.googleapis.com/fcm/send/abc"')


def test_delete_removes_the_device_and_a_second_delete_is_404(
    client: TestClient, auth: dict[str, str]
) -> None:
    client.post(URL, json={"platform": "web", "subscription": SUBSCRIPTION}, headers=auth)
    # when
    removed = client.delete(URL, params={"token": SUBSCRIPTION["endpoint"]}, headers=auth)
    again = client.delete(URL, params={"token": SUBSCRIPTION["endpoint"]}, headers=auth)
    # then
    assert (removed.status_code, again.status_code) == (204, 404)
    assert client.get("/v1/customers/c1", headers=auth).json()["customer"]["push_tokens"] == []


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"platform": "apns", "token": "x"}, "platform", "Input should be 'fcm', 'rustore' or 'web'"),
        ({"platform": "fcm"}, "body", "an fcm device gives token, not subscription"),
        (
            {"platform": "web", "token": "x"},
            "body",
            "a web device gives subscription (endpoint and keys), not token",
        ),
        (
            {"platform": "web", "subscription": {"endpoint": "https://push.example/1"}},
            "subscription.keys",
            "Field required",
        ),
        (
            {"platform": "web", "subscription": {**SUBSCRIPTION, "endpoint": "push.example/1"}},
            "subscription.endpoint",
            "String should match pattern",
        ),
        ({"platform": "fcm", "token": "two words"}, "token", "String should match pattern"),
    ],
)
def test_a_registration_that_is_wrong_is_422_naming_what(
    client: TestClient, auth: dict[str, str], body: dict[str, object], field: str, words: str
) -> None:
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == field
    assert words in error["message"]
    assert client.get("/v1/customers/c1", headers=auth).status_code == 404
