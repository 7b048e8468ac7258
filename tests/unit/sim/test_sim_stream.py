"""The simulated event stream: deterministic by seed and valid against the public envelope."""

from __future__ import annotations

import gc
import re
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from retentio.sim import SimConfig, SimStore, build_store, simulate

Event = dict[str, Any]
CONFIG = SimConfig(customers=1500, days=120, seed=11)
KEYS = {"event_id", "type", "customer_id", "anonymous_id", "timestamp", "properties"}
PROPERTY_KEYS = {
    "product_viewed": {"sku"},
    "category_viewed": {"category"},
    "search": {"query"},
    "cart_updated": {"cart_id", "items"},
    "checkout_started": {"cart_id"},
    "order_paid": {"order_id"},
    "order_cancelled": {"order_id"},
    "order_returned": {"order_id", "items"},
    "app_opened": {"platform"},
    "subscribed": {"channel"},
    "unsubscribed": {"channel"},
    "identify": set(),
}
ORDER_KEYS = {"order_id", "items", "total", "currency"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
MONEY = re.compile(r"^\d+\.\d\d$")


@pytest.fixture(scope="module")
def store() -> SimStore:
    return build_store(CONFIG)


@pytest.fixture(scope="module")
def batches(store: SimStore) -> list[list[Event]]:
    return list(simulate(CONFIG, store))


@pytest.fixture(scope="module")
def events(batches: list[list[Event]]) -> list[Event]:
    return [event for batch in batches for event in batch]


def _run(config: SimConfig) -> list[list[Event]]:
    return list(simulate(config, build_store(config)))


def test_the_same_seed_gives_the_same_stream() -> None:
    # given
    config = SimConfig(customers=300, days=40, seed=5)

    # when
    first, second = _run(config), _run(config)

    # then
    assert first == second
    assert sum(len(batch) for batch in first) > 1000


def test_a_store_can_be_simulated_twice_with_the_same_result() -> None:
    # given
    config = SimConfig(customers=300, days=30, seed=5)
    store = build_store(config)

    # when
    first, second = list(simulate(config, store)), list(simulate(config, store))

    # then
    assert first == second


def test_another_seed_gives_another_stream() -> None:
    # when
    first = _run(SimConfig(customers=300, days=20, seed=5))
    second = _run(SimConfig(customers=300, days=20, seed=6))

    # then
    assert first != second
    assert [e["type"] for b in first for e in b] != [e["type"] for b in second for e in b]


def test_one_batch_per_day_each_within_its_day(batches: list[list[Event]]) -> None:
    assert len(batches) == CONFIG.days
    for day, batch in enumerate(batches):
        day_start = CONFIG.start + timedelta(days=day)
        assert batch, f"day {day} has no events"
        assert day_start <= datetime.fromisoformat(batch[0]["timestamp"])
        assert datetime.fromisoformat(batch[-1]["timestamp"]) < day_start + timedelta(days=1)


def test_every_event_has_the_envelope_shape(events: list[Event]) -> None:
    for event in events:
        assert set(event) == KEYS
        assert isinstance(event["event_id"], str) and 0 < len(event["event_id"]) <= 128
        assert event["type"] in PROPERTY_KEYS or event["type"] == "order_placed"
        assert event["customer_id"] is not None or event["anonymous_id"] is not None
        assert TIMESTAMP.match(event["timestamp"]), event["timestamp"]
        assert isinstance(event["properties"], dict)


def test_all_event_types_appear(events: list[Event]) -> None:
    types = Counter(event["type"] for event in events)
    assert set(types) == set(PROPERTY_KEYS) | {"order_placed"}


def test_timestamps_never_go_back_and_ids_are_unique(events: list[Event]) -> None:
    stamps = [event["timestamp"] for event in events]
    # Fixed-width UTC stamps order as strings exactly as the instants they name.
    assert stamps == sorted(stamps)
    assert len({event["event_id"] for event in events}) == len(events)


def test_properties_have_the_documented_keys_and_types(events: list[Event], store: SimStore) -> None:
    skus = {product.sku for product in store.products}
    categories = {product.category for product in store.products}
    for event in events:
        properties, kind = event["properties"], event["type"]
        if kind == "order_placed":
            assert ORDER_KEYS <= set(properties) <= ORDER_KEYS | {"coupon", "discount"}
            assert ("coupon" in properties) == ("discount" in properties)
            assert properties["currency"] == "RUB"
        else:
            assert set(properties) == PROPERTY_KEYS[kind], event
        if kind == "product_viewed":
            assert properties["sku"] in skus
        if kind == "category_viewed":
            assert properties["category"] in categories
        if kind == "app_opened":
            assert properties["platform"] in {"ios", "android"}
        if kind in {"subscribed", "unsubscribed"}:
            assert properties["channel"] in {"email", "sms", "push"}
        if kind == "identify":
            assert event["customer_id"] and event["anonymous_id"]


def test_items_name_catalogue_products_at_catalogue_prices(events: list[Event], store: SimStore) -> None:
    prices = {product.sku: product.price for product in store.products}
    for event in events:
        for item in event["properties"].get("items", []):
            assert set(item) == {"sku", "quantity", "price"}
            assert isinstance(item["quantity"], int) and item["quantity"] >= 1
            assert MONEY.match(item["price"])
            assert Decimal(item["price"]) == prices[item["sku"]]


def test_order_totals_are_the_items_less_the_discount(events: list[Event]) -> None:
    orders = [e["properties"] for e in events if e["type"] == "order_placed"]
    discounted = 0
    for order in orders:
        subtotal = sum(Decimal(i["price"]) * i["quantity"] for i in order["items"])
        discount = Decimal(order.get("discount", "0"))
        assert MONEY.match(order["total"])
        assert Decimal(order["total"]) == subtotal - discount
        assert Decimal(0) <= discount < subtotal
        discounted += "coupon" in order
    assert 0.05 < discounted / len(orders) < 0.5


def test_follow_ups_refer_to_an_order_placed_earlier_by_the_same_customer(
    events: list[Event],
) -> None:
    placed: dict[str, Event] = {}
    paid: set[str] = set()
    cancelled: set[str] = set()
    for event in events:
        properties = event["properties"]
        if event["type"] == "order_placed":
            assert properties["order_id"] not in placed
            placed[properties["order_id"]] = event
        elif event["type"] in {"order_paid", "order_cancelled", "order_returned"}:
            order = placed[properties["order_id"]]
            assert order["customer_id"] == event["customer_id"]
            assert order["timestamp"] < event["timestamp"]
            if event["type"] == "order_paid":
                assert properties["order_id"] not in paid | cancelled
                paid.add(properties["order_id"])
            elif event["type"] == "order_cancelled":
                assert properties["order_id"] not in paid | cancelled
                cancelled.add(properties["order_id"])
            else:
                assert properties["order_id"] in paid
    assert 0.02 < len(cancelled) / len(placed) < 0.07


def test_returns_never_exceed_what_was_bought(events: list[Event]) -> None:
    bought: dict[str, Counter[str]] = {}
    returns = Counter[str]()
    partial = 0
    for event in events:
        properties = event["properties"]
        if event["type"] == "order_placed":
            bought[properties["order_id"]] = Counter(
                {item["sku"]: item["quantity"] for item in properties["items"]}
            )
        elif event["type"] == "order_returned":
            order_id = properties["order_id"]
            returns[order_id] += 1
            returned = Counter({item["sku"]: item["quantity"] for item in properties["items"]})
            assert returned and returned <= bought[order_id]
            partial += returned != bought[order_id]
    assert returns and max(returns.values()) == 1
    assert 0 < partial < sum(returns.values())


def test_checkouts_follow_a_cart_of_the_same_shopper(events: list[Event]) -> None:
    carts: dict[str, str | None] = {}
    for event in events:
        if event["type"] == "cart_updated":
            carts[event["properties"]["cart_id"]] = event["customer_id"]
        elif event["type"] == "checkout_started":
            assert carts[event["properties"]["cart_id"]] == event["customer_id"]


def test_customers_act_only_after_signing_up_and_subscribe_only_where_reachable(
    events: list[Event], store: SimStore
) -> None:
    customers = {customer.customer_id: customer for customer in store.customers}
    for event in events:
        if event["customer_id"] is None:
            continue
        customer = customers[event["customer_id"]]
        assert datetime.fromisoformat(event["timestamp"]) >= customer.signed_up_at
        if event["type"] == "subscribed":
            channel = event["properties"]["channel"]
            assert channel != "email" or customer.email
            assert channel != "sms" or customer.phone


def test_anonymous_browsing_is_later_identified(events: list[Event]) -> None:
    # given
    seen_anonymously = set()
    identified_after_browsing = 0

    # when
    for event in events:
        if event["type"] == "identify":
            identified_after_browsing += event["anonymous_id"] in seen_anonymously
        elif event["customer_id"] is None:
            seen_anonymously.add(event["anonymous_id"])

    # then
    assert identified_after_browsing > 100


def test_the_platform_validator_accepts_every_event(batches: list[list[Event]]) -> None:
    """The contract check: the ingestion path's own validation takes the stream as it is."""
    envelope = pytest.importorskip("retentio.events.envelope")
    now = CONFIG.start + timedelta(days=CONFIG.days)
    for batch in batches[:30]:
        for event in batch:
            envelope.validate_event(event, now, timedelta(0))


def test_most_events_carry_a_customer_id(events: list[Event]) -> None:
    known = sum(1 for event in events if event["customer_id"] is not None)
    assert known / len(events) > 0.6


def test_the_caller_gets_the_garbage_collector_back_as_it_left_it() -> None:
    # given
    config = SimConfig(customers=100, days=3, seed=5)
    store = build_store(config)
    was_enabled = gc.isenabled()

    try:
        # when
        gc.enable()
        next(iter(simulate(config, store)))
        enabled_after = gc.isenabled()
        gc.disable()
        next(iter(simulate(config, store)))
        disabled_after = not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()

    # then
    assert enabled_after
    assert disabled_after
