"""POST /v1/messages and the reads of a message and of a customer's messages."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from retentio.messaging.tables import message_templates


def _template(engine: Engine, now: datetime, name: str = "receipt") -> None:
    with engine.begin() as connection:
        connection.execute(
            message_templates.insert(),
            [{"name": name, "definition": {}, "created_at": now, "updated_at": now}],
        )


def _customer(client: TestClient, auth: dict[str, str], customer_id: str = "c1") -> None:
    assert (
        client.put(f"/v1/customers/{customer_id}", json={"email": "ann@example.ru"}, headers=auth).status_code
        == 200
    )


def test_a_request_is_stored_once_per_key_and_bad_ones_are_refused_alone(
    client: TestClient, auth: dict[str, str], engine: Engine, now: datetime
) -> None:
    _template(engine, now)
    _customer(client, auth)
    receipt = {
        "customer_id": "c1",
        "template": "receipt",
        "kind": "transactional",
        "idempotency_key": "order-1",
    }
    body = {
        "messages": [
            receipt,
            {**receipt, "idempotency_key": "order-2", "channels": ["email", "fax"]},
            {**receipt, "idempotency_key": "order-3", "customer_id": "ghost"},
            {**receipt, "idempotency_key": "order-4", "template": "nothing"},
            {**receipt, "idempotency_key": "order-5", "due_at": "9999-12-31T23:00:00-02:00"},
            receipt,
            {**receipt, "idempotency_key": "coupon-6", "kind": "marketing", "incentive": True},
            {**receipt, "idempotency_key": "coupon-7", "incentive": "sometimes"},
        ]
    }
    response = client.post("/v1/messages", json=body, headers=auth)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [(item["index"], item["created"]) for item in answer["requested"]] == [
        (0, True),
        (5, True),
        (6, True),
    ]
    assert answer["requested"][0]["message_id"] == answer["requested"][1]["message_id"]
    refused = {item["index"]: item["errors"][0]["message"] for item in answer["refused"]}
    assert refused.keys() == {1, 2, 3, 4, 7}
    assert answer["refused"][0]["errors"][0]["field"] == "channels.1"
    assert refused[1].startswith("Input should be 'auto', 'email'")
    assert refused[2] == "no customer 'ghost'"
    assert refused[3] == "no template 'nothing'"
    assert "out of range" in refused[4]
    assert refused[7] == "Input should be a valid boolean, unable to interpret input"
    again = client.post("/v1/messages", json=[receipt], headers=auth).json()
    assert again["requested"][0]["created"] is False

    message_id = answer["requested"][0]["message_id"]
    shown = client.get(f"/v1/messages/{message_id}", headers=auth).json()
    assert (shown["state"], shown["customer_id"], shown["kind"], shown["channels"]) == (
        "waiting",
        "c1",
        "transactional",
        ["auto"],
    )
    coupon = client.get(f"/v1/messages/{answer['requested'][2]['message_id']}", headers=auth).json()
    assert (shown["incentive"], coupon["incentive"]) == (False, True)
    listed = client.get("/v1/customers/c1/messages", headers=auth).json()
    assert sorted(item["message_id"] for item in listed) == sorted([message_id, coupon["message_id"]])
    assert client.get("/v1/messages/nothing", headers=auth).status_code == 404


def test_a_body_that_is_not_a_list_of_requests_is_a_clear_error(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post("/v1/messages", content=b"{", headers=auth)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    response = client.post("/v1/messages", json={"messages": "x"}, headers=auth)
    assert response.status_code == 422
