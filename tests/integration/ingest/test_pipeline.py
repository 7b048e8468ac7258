from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from tests.helpers import event, ingest, item, rows

from retentio.customers.service import get_profile
from retentio.events.tables import events
from retentio.ingest.pipeline import BatchTooLarge, IngestOptions, ingest_events, ingest_stream

OPTIONS = IngestOptions()


def _placed(event_id: str, customer: str, at: datetime, order_id: str, total: str, **extra: object) -> dict:
    return event(
        event_id,
        "order_placed",
        at,
        customer,
        order_id=order_id,
        items=[item("SKU-1", 1, total)],
        total=total,
        currency="RUB",
        **extra,
    )


def _profile(engine: Engine, customer_id: str, now: datetime):
    with engine.connect() as connection:
        return get_profile(connection, customer_id, "RUB", now)


def test_same_event_id_is_stored_once_in_a_batch_and_across_batches(engine: Engine, now: datetime) -> None:
    # given
    view = event("e-1", "product_viewed", now - timedelta(hours=1), "c-1", sku="SKU-1")
    # when
    first = ingest_events(engine, [view, view], now, OPTIONS)
    second = ingest_events(engine, [view], now, OPTIONS)
    # then
    assert (first.accepted, first.duplicates) == (1, 1)
    assert (second.accepted, second.duplicates) == (0, 1)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(events)).scalar_one() == 1
    assert _profile(engine, "c-1", now).events == 1


def test_valid_events_are_stored_when_others_in_the_batch_are_rejected(engine: Engine, now: datetime) -> None:
    batch = [
        event("ok-1", "product_viewed", now, "c-1", sku="A"),
        event("bad-type", "order_exploded", now, "c-1"),
        event(
            "bad-qty",
            "order_placed",
            now,
            "c-1",
            order_id="o",
            items=[item("A", -1, "1")],
            total="1",
            currency="RUB",
        ),
        event(
            "bad-currency",
            "order_placed",
            now,
            "c-1",
            order_id="o",
            items=[item("A", 1, "1")],
            total="1",
            currency="XYZ",
        ),
        event("future", "product_viewed", now + timedelta(days=30), "c-1", sku="A"),
        {"type": "product_viewed", "customer_id": "c-1", "timestamp": now.isoformat()},
        event("nobody", "product_viewed", now, sku="A"),
        event("huge", "custom.note", now, "c-1", text="x" * 10_000_000),
        "not an object",
        event("ok-2", "custom.quiz_finished", now, "c-1", score=7),
        event("system", "segment_entered", now, "c-1", family="lifecycle", to="active"),
    ]
    result = ingest_events(engine, batch, now, OPTIONS)
    assert result.accepted == 2
    fields = {rejection.index: [error.field for error in rejection.errors] for rejection in result.rejected}
    assert fields == {
        1: ["type"],
        2: ["properties.items.0.quantity"],
        3: ["properties.currency"],
        4: ["timestamp"],
        5: ["event_id", "properties"],
        6: ["customer_id"],
        7: ["properties"],
        8: [""],
        10: ["type"],
    }
    assert [r["event_id"] for r in rows(engine, "events")] == ["ok-1", "ok-2"]


def test_profile_follows_orders_cancellations_and_partial_returns(engine: Engine, now: datetime) -> None:
    day = timedelta(days=1)
    start = now - 30 * day
    ingest(
        engine,
        [
            _placed("p1", "c-1", start, "o-1", "100.00", coupon="WELCOME"),
            event(
                "p2",
                "order_placed",
                start + 10 * day,
                "c-1",
                order_id="o-2",
                items=[item("SKU-1", 2, "50.00"), item("SKU-2", 1, "20.00")],
                total="120.00",
                currency="RUB",
            ),
            _placed("p3", "c-1", start + 20 * day, "o-3", "300.00"),
            event("c3", "order_cancelled", start + 21 * day, "c-1", order_id="o-3"),
            event(
                "r2",
                "order_returned",
                start + 22 * day,
                "c-1",
                order_id="o-2",
                items=[item("SKU-1", 1, "50.00")],
            ),
        ],
        now,
    )
    profile = _profile(engine, "c-1", now)
    assert profile.orders == 2
    assert profile.revenue == Decimal("170.00")  # 100 + 120 − 50 returned
    assert profile.returned == Decimal("50.00")
    assert (profile.cancellations, profile.returns) == (1, 1)
    assert profile.last_order_at == start + 10 * day  # the cancelled later order does not count
    assert profile.mean_interval_days == 10.0
    assert profile.last_interval_days == 10.0
    assert profile.coupon_share == 0.5
    assert profile.average_check == Decimal("85.00")
    statuses = {r["order_id"]: r["status"] for r in rows(engine, "orders")}
    assert statuses == {"o-1": "placed", "o-2": "partially_returned", "o-3": "cancelled"}


def test_a_return_naming_its_line_takes_back_that_line_across_batches(engine: Engine, now: datetime) -> None:
    # given: one SKU on two lines at different prices
    at = now - timedelta(days=5)
    items = [item("SKU-1", 2, "50.00"), item("SKU-2", 1, "20.00"), item("SKU-1", 1, "80.00")]
    placed = event(
        "p", "order_placed", at, "c-1", order_id="o-1", items=items, total="200.00", currency="RUB"
    )
    named = {"sku": "SKU-1", "quantity": 1, "price": "80.00", "line_no": 3}
    ingest(engine, [placed], now)
    # when: a return naming line 3, then one naming no line, each in its own batch
    ingest(
        engine,
        [event("r1", "order_returned", at + timedelta(days=1), "c-1", order_id="o-1", items=[named])],
        now,
    )
    unnamed = event(
        "r2",
        "order_returned",
        at + timedelta(days=2),
        "c-1",
        order_id="o-1",
        items=[item("SKU-1", 1, "80.00")],
    )
    ingest(engine, [unnamed], now)
    # then: 80.00 from line 3, then 50.00 from the earliest line of SKU-1
    assert [line["returned_quantity"] for line in rows(engine, "order_lines")] == [1, 0, 1]
    order = rows(engine, "orders")[0]
    assert (order["returned_minor"], order["status"]) == (13000, "partially_returned")
    assert _profile(engine, "c-1", now).revenue == Decimal("70.00")


def test_a_return_naming_line_zero_is_rejected_by_name_and_changes_nothing(
    engine: Engine, now: datetime
) -> None:
    # given
    at = now - timedelta(days=5)
    ingest(engine, [_placed("p", "c-1", at, "o-1", "10.00")], now)
    bad = {"sku": "SKU-1", "quantity": 1, "price": "10.00", "line_no": 0}
    # when
    result = ingest(engine, [event("r", "order_returned", at, "c-1", order_id="o-1", items=[bad])], now)
    # then
    assert [[error.field for error in rejected.errors] for rejected in result.rejected] == [
        ["properties.items.0.line_no"]
    ]
    assert (rows(engine, "orders")[0]["returned_minor"], _profile(engine, "c-1", now).returns) == (0, 0)


def test_events_of_an_order_may_arrive_before_the_order(engine: Engine, now: datetime) -> None:
    at = now - timedelta(days=2)
    ingest(engine, [event("pay", "order_paid", at + timedelta(hours=1), "c-1", order_id="o-1")], now)
    assert _profile(engine, "c-1", now).orders == 0
    ingest(engine, [_placed("place", "c-1", at, "o-1", "10.00")], now)
    profile = _profile(engine, "c-1", now)
    assert (profile.orders, profile.revenue) == (1, Decimal("10.00"))
    assert rows(engine, "orders")[0]["status"] == "paid"


def test_anonymous_history_moves_to_the_customer_on_identify(engine: Engine, now: datetime) -> None:
    at = now - timedelta(hours=3)
    ingest(
        engine,
        [
            event("v1", "product_viewed", at, anonymous_id="anon-1", sku="A"),
            event(
                "o1",
                "order_placed",
                at,
                anonymous_id="anon-1",
                order_id="guest-1",
                items=[item("A", 1, "15.00")],
                total="15.00",
                currency="RUB",
            ),
        ],
        now,
    )
    ingest(engine, [event("id", "identify", at + timedelta(hours=1), "c-9", "anon-1")], now)
    ingest(
        engine, [event("v2", "product_viewed", at + timedelta(hours=2), anonymous_id="anon-1", sku="B")], now
    )
    profile = _profile(engine, "c-9", now)
    assert (profile.events, profile.orders, profile.revenue) == (4, 1, Decimal("15.00"))
    assert {r["event_id"]: r["customer_id"] for r in rows(engine, "events", drop=())} == {
        "v1": "c-9",
        "o1": "c-9",
        "id": "c-9",
        "v2": "c-9",
    }


def test_a_stream_of_batches_answers_each_batch_in_order_and_keeps_what_came_before_a_failure(
    engine: Engine, now: datetime
) -> None:
    views = [
        event(f"v-{n}", "product_viewed", now - timedelta(minutes=n), f"c-{n % 3}", sku="A") for n in range(9)
    ]
    batches = [views[0:3], [*views[3:6], event("bad", "order_exploded", now, "c-1")], views[0:2] + views[6:7]]
    options = IngestOptions(max_batch=4)
    # when
    results = list(ingest_stream(engine, batches, now, options))
    # then
    assert [(r.accepted, r.duplicates, [x.index for x in r.rejected]) for r in results] == [
        (3, 0, []),
        (3, 0, [3]),
        (1, 2, []),
    ]
    # a batch over the limit stops the stream; the batch before it is committed all the same
    with pytest.raises(BatchTooLarge):
        list(ingest_stream(engine, [views[7:8], views * 2], now, options))
    assert sorted(r["event_id"] for r in rows(engine, "events")) == sorted(f"v-{n}" for n in range(8))
    assert _profile(engine, "c-1", now).events == 3


def test_a_property_number_beyond_64_bits_is_rejected_by_name(engine: Engine, now: datetime) -> None:
    # a caller that hands over Python values (an importer, a backfill) can hold integers JSON parsers
    # would have turned into floats
    batch = [
        event("big", "custom.score", now, "c-1", points=2**70),
        event("fine", "custom.score", now, "c-1", points=2**62),
    ]
    result = ingest_events(engine, batch, now, OPTIONS)
    assert result.accepted == 1
    assert [(r.index, [e.field for e in r.errors]) for r in result.rejected] == [(0, ["properties"])]
