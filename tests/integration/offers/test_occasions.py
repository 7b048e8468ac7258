"""The occasions through the real ingestion path, on SQLite and PostgreSQL, with the clock
injected: a cart left without an order becomes one offer (an order ends it), viewed products not
bought become one offer, the daily sweep learns intervals and announces run-outs, renewals,
birthdays and anniversaries once, and history (a backfill) triggers nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Engine, text
from tests.helpers import event, item

from retentio.catalog import ProductUpsert, do_upsert_products
from retentio.clock import FixedClock
from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.events import drain
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.offers import OccasionsConsumer, OccasionSettings, do_occasion_sweep, waiting_kinds
from retentio.schedule import Registry, Runner, SqlQueue

SETTINGS = OccasionSettings.model_validate({"replenishment": {"min_repeats": 2}})
SHOP = ZoneInfo("Europe/Moscow")
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def send(engine: Engine, events: list[dict[str, Any]], now: datetime, *, historical: bool = False) -> None:
    result = ingest_events(engine, events, now, IngestOptions(historical=historical))
    assert not result.rejected, result.rejected
    drain(engine, [OccasionsConsumer(SETTINGS)], FixedClock(now))


def run_waits(engine: Engine, now: datetime) -> None:
    Runner(SqlQueue(engine), Registry(waiting_kinds(SETTINGS)), FixedClock(now)).run_all_due()


def sweep(engine: Engine, now: datetime) -> str:
    with engine.begin() as connection:
        return do_occasion_sweep(connection, SETTINGS, SHOP, now).summary()


def announced(engine: Engine, type_name: str = "offer_due") -> list[tuple[str, str, dict[str, Any]]]:
    query = text(
        "SELECT event_id, customer_id, properties, derived FROM events WHERE type = :t ORDER BY event_id"
    )
    with engine.connect() as connection:
        found = []
        for event_id, customer_id, properties, derived in connection.execute(query, {"t": type_name}):
            assert derived
            loaded = orjson.loads(properties) if isinstance(properties, str) else properties
            found.append((event_id, customer_id, loaded))
        return found


def cart(event_id: str, customer: str, at: datetime, *skus: str) -> dict[str, Any]:
    return event(event_id, "cart_updated", at, customer, cart_id="k1", items=[item(s, 1, "10") for s in skus])


def order(order_id: str, customer: str, at: datetime, *lines: tuple[str, int]) -> dict[str, Any]:
    return event(
        f"{order_id}-placed",
        "order_placed",
        at,
        customer,
        order_id=order_id,
        items=[item(sku, quantity, "100.00") for sku, quantity in lines],
        total="100.00",
        currency="RUB",
    )


def test_a_cart_left_without_an_order_becomes_one_offer(engine: Engine) -> None:
    send(engine, [cart("e1", "ann", T0, "TEA", "MUG"), cart("e2", "bob", T0, "TEA")], T0)
    send(engine, [cart("e3", "ann", T0 + 20 * timedelta(minutes=1), "TEA")], T0 + 20 * timedelta(minutes=1))
    send(
        engine,
        [order("o1", "bob", T0 + 30 * timedelta(minutes=1), ("SOAP", 1))],
        T0 + 30 * timedelta(minutes=1),
    )
    # the first change's row comes due at 10:00, finds the wait extended to 10:20 and waits again
    run_waits(engine, T0 + 65 * timedelta(minutes=1))
    assert announced(engine) == []
    with engine.connect() as connection:
        query = text(
            "SELECT count(*) FROM due_work WHERE kind = 'offers.occasion_wait' AND state = 'waiting'"
        )
        assert connection.execute(query).scalar_one() == 1
    run_waits(engine, T0 + 81 * timedelta(minutes=1))
    run_waits(engine, T0 + 3 * HOUR)  # a second look announces nothing more
    assert announced(engine) == [
        (
            f"occ:offer_due:cart:ann:{(T0 + 20 * timedelta(minutes=1)).isoformat()}",
            "ann",
            {
                "occasion": "cart",
                "skus": ["TEA"],
                "since": T0.isoformat(),
                "last_activity_at": (T0 + 20 * timedelta(minutes=1)).isoformat(),
            },
        )
    ]


def test_a_wait_whose_end_passed_while_no_worker_ran_is_dropped(engine: Engine) -> None:
    send(engine, [cart("e1", "ann", T0, "TEA")], T0)
    run_waits(engine, T0 + 40 * DAY)
    assert announced(engine) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pending_occasions")).scalar_one() == 0


def test_an_order_the_consumer_has_not_read_yet_still_ends_the_wait(engine: Engine) -> None:
    send(engine, [cart("e1", "ann", T0, "TEA")], T0)
    ingest_events(
        engine, [order("o1", "ann", T0 + 10 * timedelta(minutes=1), ("TEA", 1))], T0, IngestOptions()
    )
    run_waits(engine, T0 + 2 * HOUR)
    assert announced(engine) == []


def test_viewed_products_not_bought_become_an_offer_and_history_starts_nothing(engine: Engine) -> None:
    views = [event(f"v{i}", "product_viewed", T0 + i * HOUR, "ann", sku=sku) for i, sku in enumerate("ABC")]
    send(engine, views, T0 + 2 * HOUR)
    send(engine, [order("o1", "ann", T0 + 5 * HOUR, ("B", 1))], T0 + 5 * HOUR)
    old = [event("h1", "product_viewed", T0, "cat", sku="A"), cart("h2", "cat", T0, "A")]
    send(engine, old, T0 + 5 * HOUR, historical=True)
    run_waits(engine, T0 + 30 * HOUR)
    assert [(e, c, p["skus"]) for e, c, p in announced(engine)] == [
        (f"occ:offer_due:viewed:ann:{(T0 + 2 * HOUR).isoformat()}", "ann", ["C", "A"])
    ]


def products(engine: Engine, now: datetime) -> None:
    items = [
        ("TEA", ProductUpsert(name="Tea")),
        ("SOAP", ProductUpsert(name="Soap", consumption_days=30)),
        ("BOX", ProductUpsert(name="Coffee box", attributes={"subscription_days": 30})),
    ]
    with engine.begin() as connection:
        do_upsert_products(connection, items, now, "RUB")


def test_the_sweep_learns_intervals_and_announces_each_occasion_once(engine: Engine) -> None:
    start = T0 - 60 * DAY
    products(engine, start)
    with engine.begin() as connection:
        people = [
            ("ann", CustomerUpsert(birthday=date(1990, 3, 8))),
            # 9 March is three days off in Vladivostok already, not yet in Moscow
            ("bob", CustomerUpsert(birthday=date(1991, 3, 9), timezone="Asia/Vladivostok")),
            ("cy", CustomerUpsert(birthday=date(1991, 3, 9))),
        ]
        do_upsert_customers(connection, people, start)
    history = [
        # TEA lasts 10 days a unit: ann buys one every 10 days, bob two that last 20
        order("a1", "ann", start, ("TEA", 1)),
        order("a2", "ann", start + 10 * DAY, ("TEA", 1)),
        order("b1", "bob", start + 20 * DAY, ("TEA", 2)),
        order("b2", "bob", start + 40 * DAY, ("TEA", 1)),
        # cat's first order, a year before the sweep's day (9:00 in Moscow)
        order("c1", "cat", datetime(2026, 3, 5, 6, 0, tzinfo=UTC), ("MUG", 1)),
    ]
    send(engine, history, start + 41 * DAY)
    fresh = [
        order("a3", "ann", T0 - 24 * DAY, ("SOAP", 1)),  # runs out 7 March: remind 4 March
        order("d1", "dan", T0 - 22 * DAY, ("BOX", 1)),  # renews 9 March: remind 4 March
        order("e1", "eve", T0 - 3 * DAY, ("TEA", 1)),  # runs out 8 March: remind 5 March
    ]
    send(engine, fresh, T0 - 3 * DAY)
    # fay's SOAP would remind on 4 March 10:00, but the store learns of it only on 5 March
    at = T0 + 4 * DAY + 6 * HOUR  # 5 March, 18:00 in Moscow
    send(engine, [order("f1", "fay", T0 - 24 * DAY + HOUR, ("SOAP", 1))], at - HOUR, historical=True)
    assert sweep(engine, at).startswith("2 product intervals; due: 2 replenishments, 1 renewals")
    replenishments = announced(engine, "replenishment_due")
    assert [(e, p["runs_out_at"], p["interval_days"]) for e, _, p in replenishments] == [
        ("occ:replenishment_due:ann:SOAP:a3", (T0 + 6 * DAY).isoformat(), 30.0),
        ("occ:replenishment_due:eve:TEA:e1", (T0 + 7 * DAY).isoformat(), 10.0),
    ]
    offers = {e: p for e, _, p in announced(engine)}
    assert sorted(offers) == [
        "occ:offer_due:anniversary:cat:2027",
        "occ:offer_due:birthday:ann:2027",
        "occ:offer_due:birthday:bob:2027",
        "occ:offer_due:subscription_renewal:dan:BOX:d1",
    ]
    assert offers["occ:offer_due:anniversary:cat:2027"]["years"] == 1
    assert offers["occ:offer_due:subscription_renewal:dan:BOX:d1"]["renews_at"] == (T0 + 8 * DAY).isoformat()
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT sku, interval_days, source, observations FROM replenishment_intervals ORDER BY sku")
        ).all()
    assert [tuple(row) for row in stored] == [("SOAP", 30.0, "catalogue", 0), ("TEA", 10.0, "learned", 2)]
    sweep(engine, at + HOUR)
    assert len(announced(engine)) + len(announced(engine, "replenishment_due")) == 6  # nothing new


def test_an_import_of_last_years_orders_announces_nothing(engine: Engine) -> None:
    products(engine, T0 - 400 * DAY)
    last_year = [order(f"o{i}", f"c{i}", T0 - (400 - i) * DAY, ("SOAP", 1), ("BOX", 1)) for i in range(30)]
    send(engine, last_year, T0, historical=True)
    assert sweep(engine, T0 + HOUR).endswith(
        "due: 0 replenishments, 0 renewals, 0 birthdays, 0 anniversaries"
    )
