"""Customer upserts on the real store: attributes merge, consents record only changes, and a batch
applies its items in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from retentio.customers.consent import consent_history
from retentio.customers.models import ConsentChange, CustomerUpsert
from retentio.customers.service import (
    ConsentInFuture,
    do_upsert_customer,
    do_upsert_customers,
    get_customer,
)
from retentio.customers.tables import consent_changes, customers


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
        record = get_customer(connection, "c1", now + timedelta(days=2))
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
        first = get_customer(connection, "c1", now)
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


def _consent(granted: bool, changed_at: datetime | None = None) -> CustomerUpsert:
    return CustomerUpsert(consents=[ConsentChange(channel="email", granted=granted, changed_at=changed_at)])


def test_a_consent_stored_with_a_far_future_time_yields_to_a_later_withdrawal(
    engine: Engine, now: datetime
) -> None:
    # given: an opt-in dated 2100, stored by a server whose clock said 2100
    far = datetime(2100, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", _consent(True, far), far)
    # when: the customer opts out now
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", _consent(False), now)
    # then: the opt-out is in force; the opt-in dated 2100 is not yet
    with engine.connect() as connection:
        record = get_customer(connection, "c1", now)
        history = consent_history(connection, "c1")
    assert record is not None and record.consents == {"email": False}
    assert [(change["granted"], change["changed_at"]) for change in history] == [
        (False, now.isoformat()),
        (True, far.isoformat()),
    ]


def test_a_change_dated_ahead_within_the_tolerance_takes_effect_at_its_time(
    engine: Engine, now: datetime
) -> None:
    # given
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", _consent(True), now)
    # when: an opt-out from a client whose clock runs an hour ahead
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", _consent(False, now + timedelta(hours=1)), now)
    # then
    with engine.connect() as connection:
        before = get_customer(connection, "c1", now)
        after = get_customer(connection, "c1", now + timedelta(hours=1))
    assert before is not None and before.consents == {"email": True}
    assert after is not None and after.consents == {"email": False}


def test_changes_at_the_same_time_apply_in_the_order_they_arrived(engine: Engine, now: datetime) -> None:
    # when
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", _consent(True, now), now)
        do_upsert_customer(connection, "c1", _consent(False, now), now)
    # then
    with engine.connect() as connection:
        record = get_customer(connection, "c1", now)
    assert record is not None and record.consents == {"email": False}


def test_a_consent_dated_beyond_the_tolerance_is_refused_and_nothing_is_stored(
    engine: Engine, now: datetime
) -> None:
    # given
    data = CustomerUpsert(
        first_name="Anna",
        consents=[
            ConsentChange(channel="sms", granted=True),
            *_consent(True, now + timedelta(hours=2)).consents,
        ],
    )
    # when
    with pytest.raises(ConsentInFuture) as refused, engine.begin() as connection:
        do_upsert_customer(connection, "c1", data, now, future_tolerance=timedelta(hours=1))
    # then
    assert (refused.value.field, refused.value.message) == (
        "consents.1.changed_at",
        f"{(now + timedelta(hours=2)).isoformat()} is in the future (more than 3600 s ahead)",
    )
    with engine.connect() as connection:
        assert get_customer(connection, "c1", now) is None
        assert connection.execute(select(func.count()).select_from(consent_changes)).scalar_one() == 0
