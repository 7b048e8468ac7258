"""GET /v1/customers/{id}/loyalty and POST …/loyalty/adjustments: the balance with its entries, and
manual adjustments, which need the admin scope and a reason, and apply once per source."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.integration.loyalty.earning.support import OPTIONS, placed
from tests.integration.loyalty.ledger.support import add_customers

from retentio.clock import FixedClock
from retentio.events import drain
from retentio.ingest import ingest_events
from retentio.loyalty import LoyaltyConsumer, do_accrue, load_loyalty_config


def test_an_adjustment_applies_once_and_shows_in_the_balance_and_entries(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # given a customer and an admin key
    add_customers(engine, ["ann"], now)
    admin = headers_for("admin")
    body = {"points": 40, "reason": "goodwill", "source": "ticket-1", "actor": "kate"}
    # when the same adjustment is posted twice
    first = client.post("/v1/customers/ann/loyalty/adjustments", json=body, headers=admin)
    second = client.post("/v1/customers/ann/loyalty/adjustments", json=body, headers=admin)
    # then it applied once
    assert first.status_code == 200, first.text
    assert second.json() == first.json()
    read = client.get("/v1/customers/ann/loyalty", headers=headers_for("read")).json()
    assert (read["available"], read["pending"], read["debt"]) == (40, 0, 0)
    [entry] = read["entries"]
    assert (entry["kind"], entry["source"], entry["available"], entry["actor"], entry["reason"]) == (
        "adjustment",
        "adjustment:ticket-1",
        40,
        "kate",
        "goodwill",
    )


def test_adjustments_need_the_admin_scope(
    client: TestClient, engine: Engine, now: datetime, auth: dict[str, str]
) -> None:
    add_customers(engine, ["ann"], now)
    response = client.post(
        "/v1/customers/ann/loyalty/adjustments",
        json={"points": 5, "reason": "x", "source": "t"},
        headers=auth,
    )
    assert response.status_code == 403
    assert client.get("/v1/customers/ann/loyalty", headers=auth).json()["entries"] == []


def test_taking_more_than_there_is_is_refused_naming_points(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    add_customers(engine, ["ann"], now)
    response = client.post(
        "/v1/customers/ann/loyalty/adjustments",
        json={"points": -5, "reason": "fraud", "source": "t-2"},
        headers=headers_for("admin"),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "points", "message": "5 asked, only 0 available"}]


def test_an_unknown_customer_is_not_found(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/v1/customers/nobody/loyalty", headers=auth)
    assert response.status_code == 404
    assert "no customer 'nobody'" in response.text


def test_the_profile_shows_the_tier_and_what_the_next_one_needs(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # given the default programme (5 points per 100 ₽, Silver at 15,000 ₽ over a rolling year) and
    # an order of 10,000 ₽ (the programme starts when first run: now), read by the loyalty consumer
    bought = now
    order = placed("e1", "ann", bought, "o1", 1, "10000")
    assert not ingest_events(engine, [order], now, OPTIONS).rejected
    drain(engine, [LoyaltyConsumer(load_loyalty_config(None))], FixedClock(now))
    # when the profile is read
    read = client.get("/v1/customers/ann/loyalty", headers=headers_for("read")).json()
    # then 500 points pending, base, and 5,000 ₽ more before the order leaves the window
    assert (read["programme"], read["available"], read["pending"]) == ("club", 100, 500)
    tier = read["tier"]
    assert (tier["id"], tier["name"], tier["multiplier"]) == ("base", "Base", "1")
    assert tier["next"] == {
        "tier": "silver",
        "measure": "spend",
        "needed": "5000",
        "by": (bought + timedelta(days=365)).isoformat().replace("+00:00", "Z"),
    }


def test_the_balance_is_read_at_the_servers_clock_not_at_the_last_write(
    client: TestClient, engine: Engine, now: datetime, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # given an order's points whose return window closed yesterday and points that expired an hour
    # ago, with no nightly run since
    add_customers(engine, ["ann"], now)
    earlier = now - timedelta(days=20)
    with engine.begin() as connection:
        do_accrue(connection, "club", "ann", 100, "order:1:base", earlier, active_at=now - timedelta(days=1))
        do_accrue(
            connection, "club", "ann", 30, "action:review", earlier, expires_at=now - timedelta(hours=1)
        )
    # when the balance is read
    read = client.get("/v1/customers/ann/loyalty", headers=headers_for("read")).json()
    # then it is the balance at the clock's now
    assert (read["available"], read["pending"], read["debt"]) == (100, 0, 0)


def test_a_blank_customer_id_is_a_422_naming_it_not_a_server_error(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    # found by the API's fuzzing: a carriage return passes the path's pattern, the ledger refuses it
    answer = client.get("/v1/customers/%0D/loyalty", headers=headers_for("read"))
    assert answer.status_code == 422
    assert answer.json()["detail"] == [{"field": "customer_id", "message": "must not be empty"}]
