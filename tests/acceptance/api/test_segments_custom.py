"""/v1/segments: custom segments over HTTP — create (admin), list, read, members, sizes (read)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.conftest import postgres_url
from tests.helpers import event, ingest

RULE = {
    "all": [
        {"event": {"type": "app_opened", "window": {"days": 7}}},
        {"field": "profile.orders", "op": "=", "value": 0},
    ]
}


@pytest.fixture
def admin(headers_for: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return headers_for("admin")


@pytest.fixture
def reader(headers_for: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return headers_for("read")


@pytest.fixture
def openers(engine: Engine, now: datetime) -> None:
    """Five customers opened the app yesterday."""
    ingest(engine, [event(f"e{n}", "app_opened", now - timedelta(days=1), f"c{n}") for n in range(5)], now)


@pytest.mark.usefixtures("openers")
def test_create_then_read_members_page_by_page(
    client: TestClient, admin: dict[str, str], reader: dict[str, str]
) -> None:
    # when
    created = client.post(
        "/v1/segments",
        json={"name": "new_app_users", "description": "Без заказов", "rule": RULE},
        headers=admin,
    )
    # then
    assert created.status_code == 201, created.text
    assert (created.json()["size"], created.json()["rule"]) == (5, RULE)
    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/segments/new_app_users/members", params=params, headers=reader).json()
        pages.append([member["customer_id"] for member in page["members"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [["c0", "c1"], ["c2", "c3"], ["c4"]]


@pytest.mark.usefixtures("openers")
def test_list_get_sizes_and_refresh(
    client: TestClient, admin: dict[str, str], reader: dict[str, str]
) -> None:
    client.post("/v1/segments", json={"name": "new_app_users", "rule": RULE}, headers=admin)
    listed = client.get("/v1/segments", headers=reader).json()
    assert [(s["name"], s["size"]) for s in listed["segments"]] == [("new_app_users", 5)]
    assert client.get("/v1/segments/new_app_users", headers=reader).json()["description"] == ""
    refreshed = client.post("/v1/segments/new_app_users/refresh", headers=admin)
    assert refreshed.json() == {"name": "new_app_users", "size": 5, "entered": 0, "exited": 0}
    sizes = client.get("/v1/segments/new_app_users/sizes", headers=reader).json()
    assert [(p["source"], p["size"], p["entered"]) for p in sizes["points"]] == [("refresh", 5, 5)]


def test_an_invalid_rule_is_a_422_naming_each_wrong_part(client: TestClient, admin: dict[str, str]) -> None:
    rule = {"any": [{"field": "profile.ordrs", "op": ">", "value": 1}, {"event": {"type": "app_opened"}}]}
    response = client.post("/v1/segments", json={"name": "x", "rule": rule}, headers=admin)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "rule.any[0].field",
            "message": "unknown field 'profile.ordrs'; did you mean 'profile.orders'?",
        },
        {
            "field": "rule.any[1].event.window",
            "message": 'required: an event condition looks back a bounded time, e.g. {"days": 30}',
        },
    ]
    assert client.get("/v1/segments", headers=admin).json() == {"segments": []}


def test_creating_needs_the_admin_scope(client: TestClient, reader: dict[str, str]) -> None:
    response = client.post("/v1/segments", json={"name": "x", "rule": RULE}, headers=reader)
    assert response.status_code == 403


def test_a_second_segment_with_the_same_name_is_a_409(
    client: TestClient, admin: dict[str, str], reader: dict[str, str]
) -> None:
    # given
    client.post("/v1/segments", json={"name": "x", "description": "first", "rule": RULE}, headers=admin)
    other = {"field": "profile.orders", "op": ">", "value": 1}
    # when
    second = client.post(
        "/v1/segments", json={"name": "x", "description": "second", "rule": other}, headers=admin
    )
    # then
    assert (second.status_code, second.json()) == (409, {"detail": "a segment named 'x' exists already"})
    kept = client.get("/v1/segments/x", headers=reader).json()
    assert (kept["description"], kept["rule"]) == ("first", RULE)


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_many_creates_of_one_name_at_once_make_one_segment_and_409s(
    start_server: Callable[[], Any], make_key: Callable[[str], str]
) -> None:
    # given two servers on one PostgreSQL database, and 120 creates of one name sent at once
    headers = {"Authorization": f"Bearer {make_key('admin,read')}"}
    servers = [start_server(), start_server()]
    bodies = [{"name": "twin", "description": f"try {n}", "rule": RULE} for n in range(120)]

    def create(number: int) -> tuple[int, Any]:
        url = servers[number % 2].url
        response = httpx.post(f"{url}/v1/segments", json=bodies[number], headers=headers, timeout=120)
        is_json = response.headers["content-type"] == "application/json"
        return response.status_code, response.json() if is_json else response.text

    # when
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(create, range(120)))
    # then: one is created, every other one is told the name is taken
    assert Counter(status for status, _ in answers) == {201: 1, 409: 119}
    refusals = [body for status, body in answers if status == 409]
    assert refusals == [{"detail": "a segment named 'twin' exists already"}] * 119
    listed = httpx.get(f"{servers[0].url}/v1/segments", headers=headers).json()["segments"]
    winner = next(body for status, body in answers if status == 201)
    assert [(s["name"], s["description"]) for s in listed] == [("twin", winner["description"])]


def test_unknown_segments_and_bad_cursors(
    client: TestClient, reader: dict[str, str], admin: dict[str, str]
) -> None:
    assert client.get("/v1/segments/nope", headers=reader).status_code == 404
    assert client.get("/v1/segments/nope/members", headers=reader).status_code == 404
    assert client.get("/v1/segments/nope/sizes", headers=reader).status_code == 404
    assert client.post("/v1/segments/nope/refresh", headers=admin).status_code == 404
    client.post("/v1/segments", json={"name": "x", "rule": RULE}, headers=admin)
    assert client.get("/v1/segments/x/members", params={"cursor": "%%%"}, headers=reader).status_code == 422


def test_a_deeply_nested_rule_is_refused_not_a_server_error(
    client: TestClient, admin: dict[str, str]
) -> None:
    rule: dict[str, object] = {"segment": "a"}
    for _ in range(200):
        rule = {"not": rule}
    response = client.post("/v1/segments", json={"name": "deep", "rule": rule}, headers=admin)
    assert response.status_code == 422
    assert "nested deeper than 8 levels" in response.json()["detail"][0]["message"]


def test_a_time_out_of_range_in_a_rule_is_a_422(client: TestClient, admin: dict[str, str]) -> None:
    # given
    rule = {"field": "customer.created_at", "op": ">", "value": "9999-12-31T23:00:00-02:00"}
    # when
    response = client.post("/v1/segments", json={"name": "x", "rule": rule}, headers=admin)
    # then
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "rule.value"
    assert "out of range" in error["message"]
    assert client.get("/v1/segments", headers=admin).json() == {"segments": []}


@pytest.mark.parametrize("since", ["9999-12-31T23:00:00-02:00", "0001-01-01T00:00:00+23:59"])
def test_sizes_since_a_time_out_of_range_is_a_422(
    client: TestClient, admin: dict[str, str], reader: dict[str, str], since: str
) -> None:
    # given
    client.post("/v1/segments", json={"name": "x", "rule": RULE}, headers=admin)
    # when
    response = client.get("/v1/segments/x/sizes", params={"since": since}, headers=reader)
    # then
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "since"
    assert "out of range" in error["message"]


def test_a_nul_character_in_a_description_or_a_name_is_a_422(
    client: TestClient, admin: dict[str, str], reader: dict[str, str]
) -> None:
    # when
    created = client.post(
        "/v1/segments", json={"name": "x", "description": "a\u0000", "rule": RULE}, headers=admin
    )
    read = client.get("/v1/segments/x%00", headers=reader)
    # then
    assert created.status_code == 422
    assert [error["field"] for error in created.json()["detail"]] == ["description"]
    assert read.status_code == 422
    assert [error["field"] for error in read.json()["detail"]] == ["name"]
    assert client.get("/v1/segments", headers=admin).json() == {"segments": []}
