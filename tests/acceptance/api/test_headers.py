"""Headers on every answer: no MIME sniffing anywhere, no caching of answers that carry customer data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi.testclient import TestClient
from tests.helpers import event


def test_every_answer_forbids_mime_sniffing(client: TestClient, auth: dict[str, str]) -> None:
    # when
    answers = [
        client.get("/v1/health"),
        client.get("/v1/customers/nobody", headers=auth),
        client.get("/v1/customers/nobody"),
        client.put("/v1/products/s1", json={}, headers=auth),
        client.get("/openapi.json"),
        client.get("/docs"),
        client.get("/nowhere"),
    ]
    # then
    assert [answer.headers.get("x-content-type-options") for answer in answers] == ["nosniff"] * len(answers)


def test_answers_with_customer_data_are_not_cached(
    client: TestClient,
    auth: dict[str, str],
    headers_for: Callable[[str], dict[str, str]],
    now: datetime,
) -> None:
    # given
    admin = headers_for("admin")
    rule = {"field": "profile.events", "op": ">=", "value": 1}
    client.post("/v1/segments", json={"name": "active", "rule": rule}, headers=admin)
    # when
    private = [
        client.post("/v1/events", json=[event("e1", "search", now, "c1", query="q")], headers=auth),
        client.put("/v1/customers/c1", json={"first_name": "Anna"}, headers=auth),
        client.get("/v1/customers/c1", headers=auth),
        client.get("/v1/customers/nobody", headers=auth),
        client.get("/v1/segments/active/members", headers=admin),
    ]
    public = [client.get("/v1/health"), client.get("/v1/segments", headers=admin)]
    # then
    assert [answer.status_code for answer in private] == [200, 200, 200, 404, 200]
    assert [answer.headers.get("cache-control") for answer in private] == ["no-store"] * len(private)
    assert [answer.headers.get("cache-control") for answer in public] == [None, None]
