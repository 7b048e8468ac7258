"""Customer upserts on the real store: attributes merge, consents record only changes, and a batch
applies its items in order."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from retentio.customers.consent import consent_history
from retentio.customers.models import ConsentChange, CustomerUpsert
from retentio.customers.service import do_upsert_customer, do_upsert_customers, get_customer
from retentio.customers.tables import customers


def test_attributes_are_merged_and_a_null_removes_a_key(engine: Engine, now: datetime) -> None:
    # given
    with engine.begin() as connection:
        do_upsert_customer(
            connection, "c1", CustomerUpsert(attributes={"tier": "gold", "city": "Kazan"}), now
        )
    # when
    with engine.begin() as connection:
        record = do_upsert_customer(
            connection, "c1", CustomerUpsert(attributes={"city": None, "kids": 2}), now + timedelta(hours=1)
        )
    # then
    assert record.attributes == {"tier": "gold", "kids": 2}


def test_an_upsert_without_attributes_leaves_them(engine: Engine, now: datetime) -> None:
    # given
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", CustomerUpsert(attributes={"tier": "gold"}), now)
    # when
    with engine.begin() as connection:
        record = do_upsert_customer(connection, "c1", CustomerUpsert(first_name="Anna", attributes={}), now)
    # then
    assert (record.first_name, record.attributes) == ("Anna", {"tier": "gold"})


def test_a_repeated_consent_is_recorded_once_and_a_change_is_recorded(engine: Engine, now: datetime) -> None:
    # given
    granted = CustomerUpsert(consents=[ConsentChange(channel="email", granted=True, source="checkout")])
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", granted, now)
    # when
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", granted, now + timedelta(days=1))
        do_upsert_customer(
            connection,
            "c1",
            CustomerUpsert(consents=[ConsentChange(channel="email", granted=False, source="footer")]),
            now + timedelta(days=2),
        )
    # then
    with engine.connect() as connection:
        history = consent_history(connection, "c1")
        record = get_customer(connection, "c1")
    assert [(change["granted"], change["source"]) for change in history] == [
        (True, "checkout"),
        (False, "footer"),
    ]
    assert record is not None and record.consents == {"email": False}


def test_a_batch_applies_a_customer_s_items_in_order(engine: Engine, now: datetime) -> None:
    # given: the same customer three times, the middle item setting more fields than the others
    items = [
        ("c1", CustomerUpsert(first_name="A", attributes={"a": 1})),
        ("c1", CustomerUpsert(first_name="B", last_name="Petrova", attributes={"b": 2})),
        ("c1", CustomerUpsert(first_name="C", attributes={"a": None})),
        ("c2", CustomerUpsert(consents=[ConsentChange(channel="sms", granted=True)])),
        ("c2", CustomerUpsert(consents=[ConsentChange(channel="sms", granted=True)])),
    ]
    # when
    with engine.begin() as connection:
        do_upsert_customers(connection, items, now)
    # then
    with engine.connect() as connection:
        first = get_customer(connection, "c1")
        history = consent_history(connection, "c2")
    assert first is not None
    assert (first.first_name, first.last_name, first.attributes) == ("C", "Petrova", {"b": 2})
    assert len(history) == 1


def test_an_attribute_change_that_changes_nothing_leaves_updated_at(engine: Engine, now: datetime) -> None:
    # given
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", CustomerUpsert(attributes={"tier": "gold"}), now)
    # when
    with engine.begin() as connection:
        do_upsert_customer(
            connection,
            "c1",
            CustomerUpsert(attributes={"tier": "gold", "gone": None}),
            now + timedelta(days=1),
        )
    # then
    with engine.connect() as connection:
        updated_at = connection.execute(
            select(customers.c.updated_at).where(customers.c.customer_id == "c1")
        ).scalar_one()
    assert updated_at == now
