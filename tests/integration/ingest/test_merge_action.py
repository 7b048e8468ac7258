"""The merge action: history, profiles, standing, signals and custom segments of two records of one
person brought together in one transaction."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from tests.helpers import event, ingest, item, rows
from tests.merge_fixture import (
    MEMBERS_AFTER_MERGE,
    MERGE_OPTIONS,
    MERGED,
    MOVES_AFTER_MERGE,
    SURVIVOR,
    activity_owners,
    build_pair,
    members,
    merges,
    moves,
)

from retentio.customers.merge import MergeRefused
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer, get_customer, get_profile
from retentio.ingest.merge import MergeResult, do_merge_customers


def _order(event_id: str, customer: str, at: datetime, total: str) -> dict:
    return event(
        event_id,
        "order_placed",
        at,
        customer,
        order_id=event_id,
        items=[item("A", 1, total)],
        total=total,
        currency="RUB",
    )


def test_merge_keeps_all_history_and_routes_later_events(engine: Engine, now: datetime) -> None:
    # given two records of one person
    at = now - timedelta(days=10)
    with engine.begin() as connection:
        do_upsert_customer(connection, "web-1", CustomerUpsert(email="anna@example.ru"), now)
        do_upsert_customer(connection, "shop-7", CustomerUpsert(phone="+79991234567", first_name="Анна"), now)
    ingest(
        engine,
        [_order("o1", "web-1", at, "100.00"), _order("o2", "shop-7", at + timedelta(days=1), "50.00")],
        now,
    )
    # when
    result = do_merge_customers(engine, "web-1", "shop-7", now, MERGE_OPTIONS)
    ingest(engine, [_order("o3", "shop-7", at + timedelta(days=2), "25.00")], now)
    # then
    assert result == MergeResult(events_moved=1)
    with engine.connect() as connection:
        survivor = get_customer(connection, "web-1", now)
        merged = get_customer(connection, "shop-7", now)
        profile = get_profile(connection, "web-1", "RUB", now)
    assert survivor is not None and merged is not None and profile is not None
    assert (survivor.email, survivor.phone, survivor.first_name) == (
        "anna@example.ru",
        "+79991234567",
        "Анна",
    )
    assert merged.merged_into == "web-1"
    assert (profile.orders, profile.revenue) == (3, Decimal("175.00"))
    assert {r["order_id"]: r["customer_id"] for r in rows(engine, "orders")} == {
        "o1": "web-1",
        "o2": "web-1",
        "o3": "web-1",
    }
    assert [r["customer_id"] for r in rows(engine, "customer_profiles")] == ["web-1"]


@pytest.mark.parametrize(
    ("survivor", "merged", "message"),
    [("a", "a", "into itself"), ("a", "ghost", "'ghost' does not exist")],
)
def test_merge_refuses_nonsense_and_changes_nothing(
    engine: Engine, now: datetime, survivor: str, merged: str, message: str
) -> None:
    with engine.begin() as connection:
        do_upsert_customer(connection, "a", CustomerUpsert(email="a@example.ru"), now)
    before = rows(engine, "customers")
    with pytest.raises(MergeRefused, match=message):
        do_merge_customers(engine, survivor, merged, now, MERGE_OPTIONS)
    assert rows(engine, "customers") == before


def test_merge_brings_standing_signals_and_custom_segments_up_to_date(engine: Engine, now: datetime) -> None:
    # given two records of anna, each a new customer ready to buy and a member of "buyers"
    build_pair(engine, now)
    # when
    result = do_merge_customers(engine, SURVIVOR, MERGED, now, MERGE_OPTIONS)
    # then anna holds the activity and is decided again; anna-shop keeps its moves as history only
    assert result == MergeResult(events_moved=1)
    assert activity_owners(engine) == {"o1": SURVIVOR, "o2": SURVIVOR}
    # and the log says so, for the areas that keep their own state per customer (loyalty's points)
    assert merges(engine) == [(f"merge:{MERGED}", SURVIVOR, MERGED)]
    assert [row["customer_id"] for row in rows(engine, "customer_profiles")] == [SURVIVOR]
    assert [row["customer_id"] for row in rows(engine, "customer_signals")] == [SURVIVOR]
    standing = [
        (row["customer_id"], row["lifecycle"], row["ladder"]) for row in rows(engine, "customer_standing")
    ]
    assert standing == [(SURVIVOR, "new", "loyal")]
    assert moves(engine) == MOVES_AFTER_MERGE
    assert members(engine) == MEMBERS_AFTER_MERGE
    changes = [
        (row["customer_id"], row["entered"], row["source"]) for row in rows(engine, "custom_segment_changes")
    ]
    assert sorted(changes) == sorted(
        [(SURVIVOR, True, "ingest")] * 3 + [(MERGED, True, "ingest"), (MERGED, False, "ingest")]
    )


def test_the_survivor_keeps_when_it_entered_its_stage(engine: Engine, now: datetime) -> None:
    # given
    build_pair(engine, now)
    # when
    do_merge_customers(engine, SURVIVOR, MERGED, now, MERGE_OPTIONS)
    # then anna is still "new" since her own first order, and "loyal" since the merge
    (row,) = rows(engine, "customer_standing")
    assert (row["lifecycle_since"], row["ladder_since"]) == (now - timedelta(days=20), now)


def test_a_second_merge_into_the_survivor_follows_the_first(engine: Engine, now: datetime) -> None:
    # given anna-shop merged into anna, and a third record of her
    build_pair(engine, now)
    do_merge_customers(engine, SURVIVOR, MERGED, now, MERGE_OPTIONS)
    with engine.begin() as connection:
        do_upsert_customer(connection, "anna-app", CustomerUpsert(first_name="Анна"), now)
    # when anna is merged into the third record, and anna-shop is named again later
    do_merge_customers(engine, "anna-app", SURVIVOR, now, MERGE_OPTIONS)
    ingest(engine, [_order("o3", MERGED, now - timedelta(days=1), "25.00")], now)
    # then
    assert activity_owners(engine) == {"o1": "anna-app", "o2": "anna-app", "o3": "anna-app"}
    merged_into = {row["customer_id"]: row["merged_into"] for row in rows(engine, "customers")}
    assert merged_into == {"anna": "anna-app", "anna-app": None, "anna-shop": "anna-app"}
    assert [row["customer_id"] for row in rows(engine, "customer_standing")] == ["anna-app"]
    assert members(engine) == {name: ["anna-app"] for name in MEMBERS_AFTER_MERGE}
