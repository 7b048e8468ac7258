"""POST /v1/events: batches stored once per event_id, bad events named and skipped, bad bodies a 4xx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.helpers import event, item

from retentio.events.tables import events

Counter = Callable[[], tuple[int, int]]


def order(event_id: str, at: datetime, customer_id: str = "c1", **overrides: Any) -> dict[str, Any]:
    properties = {"order_id": f"o-{event_id}", "items": [item("s1", 2, "750.00")], "total": "1500.00"}
    return event(event_id, "order_placed", at, customer_id, **{**properties, "currency": "RUB", **overrides})


def test_a_batch_is_stored_and_counted(
    client: TestClient, auth: dict[str, str], now: datetime, count_events: Counter
) -> None:
    # given
    batch = [event(f"e{n}", "product_viewed", now, f"c{n % 3}", sku=f"s{n}") for n in range(50)]
    batch.append(order("o1", now))
    # when
    response = client.post("/v1/events", json=batch, headers=auth)
    # then
    assert response.status_code == 200
    assert response.json() == {"accepted": 51, "duplicates": 0, "rejected": []}
    assert count_events() == (51, 51)
    customer = client.get("/v1/customers/c1", headers=auth).json()
    assert customer["profile"]["orders"] == 1
    assert customer["profile"]["revenue"] == "1500.00"


def test_the_body_may_wrap_the_events(client: TestClient, auth: dict[str, str], now: datetime) -> None:
    # when
    response = client.post(
        "/v1/events", json={"events": [event("e1", "search", now, "c1", query="q")]}, headers=auth
    )
    # then
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_duplicates_in_one_batch_and_across_batches_are_stored_once(
    client: TestClient, auth: dict[str, str], now: datetime, count_events: Counter
) -> None:
    # given
    first = [event("e1", "search", now, "c1", query="a"), event("e1", "search", now, "c1", query="a")]
    second = [event("e1", "search", now, "c1", query="a"), event("e2", "search", now, "c1", query="b")]
    # when
    answers = [client.post("/v1/events", json=batch, headers=auth).json() for batch in (first, second)]
    # then
    assert answers == [
        {"accepted": 1, "duplicates": 1, "rejected": []},
        {"accepted": 1, "duplicates": 1, "rejected": []},
    ]
    assert count_events() == (2, 2)
    assert client.get("/v1/customers/c1", headers=auth).json()["profile"]["events"] == 2


def _bad_events(now: datetime) -> list[tuple[dict[str, Any], str, str]]:
    """(event, field named, words in the message)."""
    good = event("x", "search", now, "c1", query="q")
    return [
        ({**good, "event_id": 5}, "event_id", "valid string"),
        ({k: v for k, v in good.items() if k != "event_id"}, "event_id", "required"),
        ({k: v for k, v in good.items() if k != "customer_id"}, "customer_id", "anonymous_id"),
        ({**good, "type": "purchase"}, "type", "custom."),
        ({**good, "timestamp": "yesterday"}, "timestamp", "datetime"),
        ({**good, "timestamp": "2026-06-01T10:00:00"}, "timestamp", "timezone"),
        ({**good, "timestamp": (now + timedelta(days=30)).isoformat()}, "timestamp", "future"),
        # times that exist with their offset but not in UTC (years 10000 and 0)
        ({**good, "timestamp": "9999-12-31T23:00:00-02:00"}, "timestamp", "out of range"),
        ({**good, "timestamp": "0001-01-01T00:00:00+23:59"}, "timestamp", "out of range"),
        # Unix seconds, which pydantic would take: docs/events.md asks for ISO 8601 with an offset
        ({**good, "timestamp": 12345}, "timestamp", "ISO 8601"),
        ({**good, "timestamp": "1700000000"}, "timestamp", "ISO 8601"),
        # integers orjson would read as floats, silently changing them
        ({**good, "properties": {"query": "q", "points": 2**64}}, "properties", "64-bit"),
        ({**good, "properties": {"query": "q", "points": -(2**63) - 1}}, "properties", "64-bit"),
        (order("x", now, items=[item("s1", -1, "10")]), "properties.items.0.quantity", "greater than 0"),
        (order("x", now, currency="XYZ"), "properties.currency", "unknown currency"),
        (order("x", now, total="-5"), "properties.total", "greater than or equal to 0"),
        (order("x", now, total="a lot"), "properties.total", "decimal"),
        ({**good, "properties": {"query": "q", "blob": "x" * 10_000_000}}, "properties", "larger than"),
        ({**good, "event_id": "x" * 10_000_000}, "event_id", "at most 128"),
        ({**good, "properties": {"query": "q\x00"}}, "properties", "NUL"),
        ({**good, "properties": "not an object"}, "properties", "dictionary"),
        ({**good, "surprise": 1}, "surprise", "not permitted"),
    ]


@pytest.mark.parametrize("case", range(22))
def test_bad_events_are_rejected_by_field_and_the_good_ones_stored(
    client: TestClient, auth: dict[str, str], now: datetime, count_events: Counter, case: int
) -> None:
    # given
    bad, field, words = _bad_events(now)[case]
    batch = [
        event("good-1", "search", now, "c1", query="q"),
        bad,
        event("good-2", "search", now, "c2", query="q"),
    ]
    # when
    response = client.post("/v1/events", json=batch, headers=auth)
    # then
    assert response.status_code == 200
    answer = response.json()
    assert (answer["accepted"], answer["duplicates"], len(answer["rejected"])) == (2, 0, 1)
    rejection = answer["rejected"][0]
    assert rejection["index"] == 1
    assert any(error["field"] == field and words in error["message"] for error in rejection["errors"]), (
        rejection
    )
    assert count_events() == (2, 2)


def test_an_item_that_is_not_an_object_is_rejected(client: TestClient, auth: dict[str, str]) -> None:
    # when
    response = client.post("/v1/events", json=[5], headers=auth)
    # then
    assert response.json()["rejected"] == [
        {"index": 0, "event_id": None, "errors": [{"field": "", "message": "an event must be a JSON object"}]}
    ]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'[{"event_id": "e1",', "body is not valid JSON: unexpected end of data"),
        (b"", "body is not valid JSON"),
        (b'[{"event_id": "\xff\xfe"}]', "body is not valid JSON: str is not valid UTF-8"),
        (b"[" * 2000 + b"]" * 2000, "body is not valid JSON: depth limit exceeded"),
    ],
)
def test_a_body_that_is_not_json_is_400(
    client: TestClient, auth: dict[str, str], count_events: Counter, body: bytes, words: str
) -> None:
    # when
    response = client.post("/v1/events", content=body, headers={**auth, "Content-Type": "application/json"})
    # then
    assert response.status_code == 400
    assert response.json()["detail"].startswith(words)
    assert count_events() == (0, 0)


@pytest.mark.parametrize(
    "body", [{"event_id": "e1"}, "events", 5, None, {"events": 5}, {"events": [], "more": 1}]
)
def test_a_body_that_is_not_a_batch_is_422(client: TestClient, auth: dict[str, str], body: object) -> None:
    # when
    response = client.post("/v1/events", content=orjson.dumps(body), headers=auth)
    # then
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "events", "message": "expected a JSON array, or an object {'events': [...]}"}]
    }


def test_a_batch_over_the_limit_is_413_and_stores_nothing(
    client: TestClient, auth: dict[str, str], now: datetime, count_events: Counter
) -> None:
    # given
    batch = [event(f"e{n}", "search", now, "c1", query="q") for n in range(10_001)]
    # when
    response = client.post("/v1/events", json=batch, headers=auth)
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": "a batch holds at most 10000 items, got 10001"}
    assert count_events() == (0, 0)


def test_a_batch_at_the_limit_is_stored(
    client: TestClient, auth: dict[str, str], now: datetime, count_events: Counter
) -> None:
    # given
    batch = [event(f"e{n}", "search", now, f"c{n % 100}", query="q") for n in range(10_000)]
    # when
    response = client.post("/v1/events", json={"events": batch}, headers=auth)
    # then
    assert response.json() == {"accepted": 10_000, "duplicates": 0, "rejected": []}
    assert count_events() == (10_000, 10_000)


def test_a_body_over_64_mib_is_413(client: TestClient, auth: dict[str, str]) -> None:
    # given
    body = b"[" + b" " * (64 * 1024 * 1024) + b"]"
    # when
    response = client.post("/v1/events", content=body, headers={**auth, "Content-Type": "application/json"})
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": "the body is larger than 64 MiB"}


def test_long_digit_runs_in_texts_and_64_bit_integers_are_kept_exactly(
    client: TestClient, auth: dict[str, str], now: datetime, engine: Engine
) -> None:
    # given: what makes the body be read a second, exact way, and values that survive it unchanged
    properties = {"query": "4" * 40, "biggest": 2**64 - 1, "lowest": -(2**63), "ratio": 0.5}
    # when
    response = client.post("/v1/events", json=[event("e1", "search", now, "c1", **properties)], headers=auth)
    # then
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    with engine.connect() as connection:
        stored = connection.execute(select(events.c.properties).where(events.c.event_id == "e1")).scalar_one()
    assert stored == properties
