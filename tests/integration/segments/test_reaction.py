"""Segments follow each ingested batch: signals, standing, and every move as events in the log."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, delete
from tests.helpers import event, rows
from tests.integration.segments.support import OPTIONS, count_events, moves, placed, send, standing

from retentio.catalog.models import ProductUpsert
from retentio.catalog.service import do_upsert_products
from retentio.clock import FixedClock
from retentio.customers.tables import customer_profiles
from retentio.events.consumers import drain
from retentio.ingest.pipeline import ingest_events
from retentio.ingest.rebuild import rebuild_all
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.reaction import do_refresh_customers
from retentio.segments.standing import (
    customer_facts,
    get_standing,
    may_incentivize,
    not_to_incentivize,
    segment_counts,
)
from retentio.segments.tables import customer_signals

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_first_order_moves_a_new_customer_and_records_one_event_per_move(engine: Engine) -> None:
    # given
    batch = [placed("e1", "ann", T0, "o1")]
    # when
    send(engine, batch, T0 + timedelta(hours=1))
    # then
    row = standing(engine, "ann")
    assert (row["lifecycle"], row["ladder"], row["lifecycle_since"]) == ("new", "ready_to_buy", T0)
    assert sorted(moves(engine, "ann")) == [
        ("segment_entered", "ladder", "unaware", "ready_to_buy", T0),
        ("segment_entered", "lifecycle", "prospect", "new", T0),
    ]


def test_a_resent_batch_records_no_move_twice(engine: Engine) -> None:
    batch = [placed("e1", "ann", T0, "o1"), event("v1", "product_viewed", T0, "bob", sku="S")]
    send(engine, batch, T0 + timedelta(hours=1))
    stored = count_events(engine)
    # when the same batch comes again
    result = send(engine, batch, T0 + timedelta(hours=2))
    # then
    assert result.duplicates == 2
    assert count_events(engine) == stored


def test_moves_are_in_the_log_but_never_count_as_activity(engine: Engine, now: datetime) -> None:
    # given an order and its moves
    send(engine, [placed("e1", "ann", T0, "o1")], T0 + timedelta(hours=1))
    profile = rows(engine, "customer_profiles")[0]
    # then the profile counts the order event only
    assert profile["events"] == 1
    # and a rebuild from the log, moves included, gives the same profile
    with engine.begin() as connection:
        rebuild_all(connection, now, "RUB")
    assert rows(engine, "customer_profiles")[0] == profile


def test_signs_of_a_bad_customer_stop_incentives(engine: Engine) -> None:
    # given four orders, three returned, and a spam complaint plus a 1-star review
    batch = [placed(f"p{n}", "eve", T0 + timedelta(days=n), f"o{n}") for n in range(4)]
    batch += [
        event(f"r{n}", "order_returned", T0 + timedelta(days=n, hours=5), "eve", order_id=f"o{n}",
              items=[{"sku": "SKU-1", "quantity": 1, "price": "100.00"}])
        for n in range(3)
    ]  # fmt: skip
    batch += [
        event(f"pay{n}", "order_paid", T0 + timedelta(days=n, hours=1), "eve", order_id=f"o{n}")
        for n in range(4)
    ]
    batch += [
        event("c1", "message_complained", T0, "eve", message_id="m1", channel="email"),
        event("c2", "review_submitted", T0, "eve", rating=1),
    ]
    send(engine, batch, T0 + timedelta(days=5))
    # then
    row = standing(engine, "eve")
    assert row["bad_customer"] and row["do_not_incentivize"]
    assert row["bad_reasons"] == [
        "returned 3 of 4 orders",
        "1 spam complaint(s), 1 negative review(s) or NPS",
    ]
    with engine.connect() as connection:
        assert not may_incentivize(connection, "eve")
        assert may_incentivize(connection, "nobody")
        assert not_to_incentivize(connection, ["eve", "nobody"]) == {"eve"}
        assert segment_counts(connection).bad_customers == 1
    assert ("segment_entered", "bad_customer", "clear", "flagged") in [m[:4] for m in moves(engine, "eve")]


def test_selling_below_margin_is_a_sign(engine: Engine, now: datetime) -> None:
    # given products with a 10 % margin sold with a 20 % coupon
    with engine.begin() as connection:
        do_upsert_products(
            connection,
            [("SKU-1", ProductUpsert(name="Tea", margin=Decimal("0.1"), price=Decimal(100)))],
            now,
            "RUB",
        )
    batch = [
        placed(f"p{n}", "max", T0 + timedelta(days=n), f"o{n}", total="80.00", price="100.00", coupon=f"C{n}",
               discount="20.00")
        for n in range(3)
    ]  # fmt: skip
    batch += [
        event(f"pay{n}", "order_paid", T0 + timedelta(days=n), "max", order_id=f"o{n}") for n in range(3)
    ]
    send(engine, batch, T0 + timedelta(days=4))
    row = standing(engine, "max")
    assert "negative margin -30.00 over 3 order(s)" in row["bad_reasons"]
    assert "bought with a discount 3 of 3 times" in row["bad_reasons"]
    with engine.connect() as connection:
        facts = customer_facts(connection, "max")
    assert facts is not None and facts.reward_propensity == "discount_seeker"


def test_what_a_visitor_did_counts_once_they_identify(engine: Engine) -> None:
    send(engine, [event("v1", "content_viewed", T0, anonymous_id="visitor", url="/guide")], T0)
    send(
        engine,
        [event("i1", "identify", T0 + timedelta(hours=1), "kim", anonymous_id="visitor")],
        T0 + timedelta(hours=2),
    )
    assert standing(engine, "kim")["ladder"] == "problem_aware"


def test_the_standing_reads_as_one_value(engine: Engine) -> None:
    send(
        engine,
        [
            placed("e1", "ann", T0, "o1"),
            event("m1", "message_opened", T0 + timedelta(hours=2), "ann", message_id="m", channel="sms"),
        ],
        T0 + timedelta(hours=3),
    )
    with engine.connect() as connection:
        read = get_standing(connection, "ann")
    assert read is not None
    assert read.lifecycle == "new"
    assert read.playbook is not None and "discount" in read.playbook.offer
    assert read.facts is not None and read.facts.preferred_channel == "sms"
    assert read.as_json()["ladder"] == "ready_to_buy"


def test_customers_rewritten_elsewhere_are_read_back_from_the_log(engine: Engine) -> None:
    # given a customer whose signals were lost, and a standing left for a customer merged away
    send(engine, [event("v1", "content_viewed", T0, "kim", url="/guide")], T0)
    send(engine, [event("v2", "content_viewed", T0, "gone", url="/guide")], T0)
    with engine.begin() as connection:
        connection.execute(delete(customer_signals))
        connection.execute(delete(customer_profiles).where(customer_profiles.c.customer_id == "gone"))
        # when another area asks for them to be re-decided
        do_refresh_customers(connection, ["kim", "gone"], T0 + timedelta(days=1), DEFAULT_CONFIG)
    # then
    assert standing(engine, "kim")["ladder"] == "problem_aware"
    assert [row["customer_id"] for row in rows(engine, "customer_standing")] == ["kim"]


def test_a_consumer_that_ran_behind_dates_no_move_before_the_events_that_caused_it(
    engine: Engine,
) -> None:
    # given: a view at 06:45 and an order at 13:48, both ingested before the consumer reads either
    view_at, order_at = T0.replace(hour=6, minute=45), T0.replace(hour=13, minute=48)
    now = T0 + timedelta(hours=6)
    for batch in (
        [event("v1", "product_viewed", view_at, "ann", sku="S")],
        [placed("e1", "ann", order_at, "o1")],
    ):
        assert not ingest_events(engine, batch, now, OPTIONS).rejected
    # when: it reads them one batch each, the first batch finding the profile folded past it
    drain(engine, [SegmentsConsumer(DEFAULT_CONFIG, "RUB")], FixedClock(now), limit=1)
    # then: the customer became new with the order, not with the view seven hours before it
    assert ("segment_entered", "lifecycle", "prospect", "new", order_at) in moves(engine, "ann")
    assert all(at >= order_at for *_, at in moves(engine, "ann"))
    assert standing(engine, "ann")["lifecycle_since"] == order_at
