"""API keys: no key or a wrong one is a 401, a key without the scope a 403, a revoked key a 401."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import event

from retentio.api.keys import do_revoke_api_key
from retentio.db.migrate import head_revision

ROUTES_NEEDING_A_KEY = [
    ("POST", "/v1/events", "ingest"),
    ("PUT", "/v1/customers/c1", "ingest"),
    ("GET", "/v1/customers/c1", "read"),
    ("POST", "/v1/products", "ingest"),
    ("PUT", "/v1/products/s1", "ingest"),
    ("GET", "/v1/products/s1", "read"),
]


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES_NEEDING_A_KEY)
def test_no_key_is_401_with_a_bearer_challenge(
    client: TestClient, method: str, path: str, scope: str
) -> None:
    # when
    response = client.request(method, path, json=[])
    # then
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "give an API key as 'Authorization: Bearer KEY'"}


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer rk_0000000000_not-a-key-that-exists",
        "Bearer something-else",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 10_000,
    ],
)
def test_wrong_key_is_401(
    client: TestClient, count_events: Callable[[], tuple[int, int]], authorization: str, now: datetime
) -> None:
    # when
    response = client.post(
        "/v1/events",
        json=[event("e1", "search", now, "c1", query="q")],
        headers={"Authorization": authorization},
    )
    # then
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert count_events() == (0, 0)


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES_NEEDING_A_KEY)
def test_key_without_the_scope_is_403(
    client: TestClient, headers_for: Callable[[str], dict[str, str]], method: str, path: str, scope: str
) -> None:
    # given
    other_scope = "read" if scope == "ingest" else "ingest"
    # when
    response = client.request(method, path, json=[], headers=headers_for(other_scope))
    # then
    assert response.status_code == 403
    assert response.json() == {"detail": f"the API key lacks the {scope!r} scope"}


def test_denied_ingest_stores_nothing(
    client: TestClient,
    headers_for: Callable[[str], dict[str, str]],
    count_events: Callable[[], tuple[int, int]],
    now: datetime,
) -> None:
    # when
    response = client.post(
        "/v1/events", json=[event("e1", "search", now, "c1", query="q")], headers=headers_for("read")
    )
    # then
    assert response.status_code == 403
    assert count_events() == (0, 0)


def test_admin_holds_every_scope(
    client: TestClient, headers_for: Callable[[str], dict[str, str]], now: datetime
) -> None:
    # given
    headers = headers_for("admin")
    # when
    posted = client.post("/v1/events", json=[event("e1", "search", now, "c1", query="q")], headers=headers)
    read = client.get("/v1/customers/c1", headers=headers)
    # then
    assert posted.status_code == 200
    assert read.status_code == 200


def test_revoked_key_is_401(
    client: TestClient, make_key: Callable[[str], str], engine: Engine, now: datetime
) -> None:
    # given
    key_text = make_key("ingest,read")
    headers = {"Authorization": f"Bearer {key_text}"}
    assert client.get("/v1/products/s1", headers=headers).status_code == 404
    prefix = key_text.split("_")[1]
    with engine.begin() as connection:
        assert do_revoke_api_key(connection, prefix, now) == 1
    # when
    response = client.get("/v1/products/s1", headers=headers)
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "the API key is unknown or revoked"}


def test_health_needs_no_key(client: TestClient, engine: Engine) -> None:
    # when
    response = client.get("/v1/health")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema_revision": head_revision(engine),
        "consumers": [{"consumer": "segments", "events_behind": 0, "seconds_behind": 0.0}],
    }
