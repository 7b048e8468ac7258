"""Each kind of condition against a small store, on SQLite and PostgreSQL: who matches."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select
from tests.integration.segments.custom.store_fixture import EVERYONE, build_store

from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.custom.evaluate import matching_customers
from retentio.segments.custom.parse import parse_rule
from retentio.segments.refresh import do_refresh_standing
from retentio.segments.tables import customer_standing


@pytest.fixture
def store(engine: Engine, now: datetime) -> Engine:
    build_store(engine, now)
    return engine


def _window(days: int) -> dict[str, int]:
    return {"days": days}


CASES: list[tuple[str, object, set[str]]] = [
    ("orders at least 2", {"field": "profile.orders", "op": ">=", "value": 2}, {"anna", "boris"}),
    ("no orders", {"field": "profile.orders", "op": "=", "value": 0}, {"vera", "dina"}),
    ("revenue over 5000", {"field": "profile.revenue", "op": ">", "value": 5000}, {"anna"}),
    ("revenue exactly", {"field": "profile.revenue", "op": "=", "value": "6000.50"}, {"anna"}),
    ("average check", {"field": "profile.average_check", "op": ">=", "value": 600}, {"anna", "boris"}),
    (
        "average check between",
        {"field": "profile.average_check", "op": "between", "value": [500, 700]},
        {"boris"},
    ),
    ("cancellations", {"field": "profile.cancellations", "op": ">=", "value": 1}, {"dina"}),
    ("coupon share", {"field": "profile.coupon_share", "op": ">", "value": 0.3}, {"anna"}),
    ("days since last order", {"field": "profile.days_since_last_order", "op": ">=", "value": 30}, set()),
    (
        "viewed a product within a day",
        {"field": "profile.days_since_product_view", "op": "<=", "value": 1},
        {"anna", "boris", "vera"},
    ),
    (
        "never viewed a product",
        {"field": "profile.last_product_view_at", "op": "is_null", "value": True},
        EVERYONE - {"anna", "boris", "vera"},
    ),
    ("no cart seen", {"field": "profile.last_cart_at", "op": "is_null", "value": True}, EVERYONE),
    (
        "days since last order few",
        {"field": "profile.days_since_last_order", "op": "<", "value": 7},
        {"anna"},
    ),
    ("days since last order is", {"field": "profile.days_since_last_order", "op": "=", "value": 5}, {"anna"}),
    (
        "days since last order below, on the boundary",
        {"field": "profile.days_since_last_order", "op": "<", "value": 5},
        set(),
    ),
    (
        "a window excludes its far boundary",
        {
            "event": {
                "type": "product_viewed",
                "where": [{"property": "category", "op": "=", "value": "coffee"}],
                "window": _window(6),
                "count": {">=": 2},
            }
        },
        {"anna"},
    ),
    (
        "days since first order",
        {"field": "profile.days_since_first_order", "op": "between", "value": [10, 40]},
        {"anna"},
    ),
    ("never ordered", {"field": "profile.last_order_at", "op": "is_null"}, {"vera", "dina"}),
    (
        "ordered after",
        {"field": "profile.first_order_at", "op": ">=", "value": "2026-04-01"},
        {"anna"},
    ),
    ("events", {"field": "profile.events", "op": ">=", "value": 6}, {"anna"}),
    ("email channel", {"field": "profile.days_since_activity.email", "op": "<=", "value": 10}, {"boris"}),
    (
        "web channel time",
        {"field": "profile.last_activity.web", "op": ">=", "value": "2026-05-31"},
        {"anna", "boris", "vera"},
    ),
    ("coffee lines", {"field": "profile.category_purchases.coffee", "op": ">=", "value": 1}, set()),
    ("has email", {"field": "customer.has_email", "op": "=", "value": True}, {"anna", "boris", "vera"}),
    ("no email", {"field": "customer.has_email", "op": "!=", "value": True}, {"dina"}),
    ("has push", {"field": "customer.has_push", "op": "=", "value": True}, {"anna"}),
    ("has telegram", {"field": "customer.has_telegram", "op": "=", "value": True}, {"boris"}),
    (
        "email contains",
        {"field": "customer.email", "op": "contains", "value": "example.ru"},
        {"anna", "boris"},
    ),
    (
        "email contains is case-sensitive",
        {"field": "customer.email", "op": "contains", "value": "EXAMPLE"},
        set(),
    ),
    ("email missing", {"field": "customer.email", "op": "is_null"}, {"dina"}),
    ("locale in", {"field": "customer.locale", "op": "in", "value": ["ru", "ru-RU"]}, {"anna", "dina"}),
    ("locale not ru", {"field": "customer.locale", "op": "!=", "value": "ru"}, {"boris", "dina"}),
    ("birthday month", {"field": "customer.birthday_month", "op": "in", "value": [4, 12]}, {"anna", "vera"}),
    ("created long ago", {"field": "customer.days_since_created", "op": ">=", "value": 200}, EVERYONE),
    ("attribute text", {"field": "customer.attributes.tier", "op": "=", "value": "gold"}, {"anna"}),
    ("attribute text not", {"field": "customer.attributes.tier", "op": "!=", "value": "gold"}, {"boris"}),
    ("attribute number", {"field": "customer.attributes.kids", "op": ">=", "value": 2}, {"anna", "boris"}),
    ("attribute numeric text", {"field": "customer.attributes.score", "op": ">", "value": 7}, {"anna"}),
    (
        "attribute text is not a number",
        {"field": "customer.attributes.kids", "op": "=", "value": "2"},
        {"boris"},
    ),
    ("attribute true", {"field": "customer.attributes.vip", "op": "=", "value": True}, {"anna"}),
    ("attribute false", {"field": "customer.attributes.vip", "op": "=", "value": False}, {"dina"}),
    ("attribute missing", {"field": "customer.attributes.tier", "op": "is_null"}, {"vera", "dina"}),
    (
        "attribute present",
        {"field": "customer.attributes.tier", "op": "is_null", "value": False},
        {"anna", "boris"},
    ),
    (
        "viewed coffee 3 times in 7 days",
        {
            "event": {
                "type": "product_viewed",
                "where": [{"property": "category", "op": "=", "value": "coffee"}],
                "window": _window(7),
                "count": {">=": 3},
            }
        },
        {"anna"},
    ),
    (
        "viewed coffee twice in 7 days",
        {
            "event": {
                "type": "product_viewed",
                "where": [{"property": "category", "op": "=", "value": "coffee"}],
                "window": _window(7),
                "count": {"=": 2},
            }
        },
        {"vera"},
    ),
    (
        "viewed something not coffee",
        {
            "event": {
                "type": "product_viewed",
                "where": [{"property": "category", "op": "not_in", "value": ["coffee"]}],
                "window": _window(7),
            }
        },
        {"boris"},
    ),
    (
        "no order in 30 days",
        {"event": {"type": "order_placed", "window": _window(30), "count": {"=": 0}}},
        {"vera"},
    ),
    (
        "spent 5000 in 30 days",
        {
            "event": {
                "type": "order_placed",
                "sum": "total",
                "window": _window(30),
                "value": {">=": 5000.5},
            }
        },
        {"anna"},
    ),
    (
        "spent under 1000 in 30 days",
        {"event": {"type": "order_placed", "sum": "total", "window": _window(30), "value": {"<": 1000}}},
        {"boris", "vera", "dina"},
    ),
    ("orders in 4 hours", {"event": {"type": "order_placed", "window": {"hours": 4}}}, set()),
    (
        "low rating",
        {
            "event": {
                "type": "review_submitted",
                "where": [{"property": "rating", "op": "<=", "value": 2}],
                "window": _window(30),
            }
        },
        {"dina"},
    ),
    (
        "custom event of a merged customer goes to the survivor",
        {
            "event": {
                "type": "custom.webinar_attended",
                "where": [{"property": "minutes", "op": ">", "value": 30}],
                "window": _window(7),
            }
        },
        {"boris"},
    ),
    (
        "all",
        {
            "all": [
                {"field": "profile.orders", "op": ">=", "value": 1},
                {"field": "customer.locale", "op": "=", "value": "ru"},
            ]
        },
        {"anna"},
    ),
    (
        "any",
        {
            "any": [
                {"field": "profile.cancellations", "op": ">", "value": 0},
                {"field": "customer.has_push", "op": "=", "value": True},
            ]
        },
        {"anna", "dina"},
    ),
    (
        "not of a missing value holds",
        {"not": {"field": "customer.locale", "op": "=", "value": "ru"}},
        {"boris", "vera", "dina"},
    ),
    (
        "coffee lovers who stopped ordering",
        {
            "all": [
                {
                    "event": {
                        "type": "product_viewed",
                        "where": [{"property": "category", "op": "=", "value": "coffee"}],
                        "window": _window(7),
                        "count": {">=": 2},
                    }
                },
                {"event": {"type": "order_placed", "window": _window(30), "count": {"=": 0}}},
            ]
        },
        {"vera"},
    ),
    ("predictions without scores", {"prediction": "p_alive", "op": "<", "value": 0.3}, set()),
]


def test_each_condition_selects_the_expected_customers(store: Engine, now: datetime) -> None:
    # given the small store; when each rule is evaluated
    with store.connect() as connection:
        found = {
            name: matching_customers(connection, parse_rule(rule), now, "RUB") for name, rule, _ in CASES
        }
    # then (all cases at once: the store is built once)
    wrong = {name: (found[name], expected) for name, _, expected in CASES if found[name] != expected}
    assert wrong == {}


def test_built_in_families_and_standing_fields(store: Engine, now: datetime) -> None:
    # given the built-in families computed for the store
    with store.begin() as connection:
        do_refresh_standing(connection, now, DEFAULT_CONFIG)
    with store.connect() as connection:
        rows = connection.execute(select(customer_standing.c.customer_id, customer_standing.c.rfm_segment))
        rfm_of: dict[str, str] = {row[0]: row[1] for row in rows}

        def who(rule: object) -> set[str]:
            return matching_customers(connection, parse_rule(rule), now, "RUB")

        # then
        assert who({"lifecycle": "prospect"}) == {"vera", "dina"}
        assert who({"not": {"lifecycle": ["prospect"]}}) == {"anna", "boris"}
        assert "anna" in who({"rfm": rfm_of["anna"]})
        assert who({"field": "standing.bad_customer", "op": "=", "value": False}) == EVERYONE
        assert who({"field": "standing.rfm_recency", "op": ">=", "value": 1}) == {"anna", "boris"}
