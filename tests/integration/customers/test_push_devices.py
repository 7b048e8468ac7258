"""A customer's push devices: registered, refreshed, moved to whoever registers the token, removed,
replaced by the record's ``push_tokens``, and moved to the survivor of a merge."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from tests.merge_fixture import MERGE_OPTIONS

from retentio.customers import (
    CustomerUpsert,
    InvalidCustomerChange,
    PushDeviceRegistration,
    do_register_push_device,
    do_unregister_push_device,
    do_upsert_customer,
    live_push_devices,
)
from retentio.customers.tables import customers
from retentio.ingest.merge import do_merge_customers

SUBSCRIPTION = {"endpoint": "https://push.example/sub/1", "keys": {"p256dh": "BNcR-key", "auth": "tBHI-auth"}}


def register(engine: Engine, customer_id: str, now: datetime, **fields: object) -> None:
    with engine.begin() as connection:
        registration = PushDeviceRegistration.model_validate({"platform": "fcm", **fields})
        do_register_push_device(connection, customer_id, registration, now)


def live(engine: Engine, customer_id: str) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        found = live_push_devices(connection, [customer_id]).get(customer_id, [])
    return [(device.platform, device.token) for device in found]


def record_tokens(engine: Engine, customer_id: str) -> list[str]:
    with engine.connect() as connection:
        query = select(customers.c.push_tokens).where(customers.c.customer_id == customer_id)
        return list(connection.execute(query).scalar_one())


def upsert(engine: Engine, customer_id: str, now: datetime, **fields: object) -> None:
    with engine.begin() as connection:
        data = CustomerUpsert.model_validate(fields)
        do_upsert_customer(connection, customer_id, data, now, timedelta(days=1))


def test_a_token_registered_again_is_one_device_and_another_customer_registering_it_takes_it(
    engine: Engine, now: datetime
) -> None:
    # given
    register(engine, "anna", now, token="phone-1", app_id="shop.android")
    # when the app registers it again, and later a different customer logs in on that phone
    register(engine, "anna", now + timedelta(hours=1), token="phone-1")
    register(engine, "anna", now, token="tablet-1", platform="rustore")
    register(engine, "boris", now + timedelta(hours=2), token="phone-1")
    # then the phone is Boris's now; Anna keeps her tablet (unknown customers were created)
    assert live(engine, "anna") == [("rustore", "tablet-1")]
    assert live(engine, "boris") == [("fcm", "phone-1")]
    assert (record_tokens(engine, "anna"), record_tokens(engine, "boris")) == (["tablet-1"], ["phone-1"])


def test_an_unregistered_device_gets_nothing_until_the_app_registers_it_again(
    engine: Engine, now: datetime
) -> None:
    register(engine, "anna", now, token="phone-1")
    with engine.begin() as connection:
        removed = do_unregister_push_device(connection, "anna", "phone-1", now)
        again = do_unregister_push_device(connection, "anna", "phone-1", now)
    assert (removed, again, live(engine, "anna"), record_tokens(engine, "anna")) == (True, False, [], [])
    register(engine, "anna", now, token="phone-1")
    assert live(engine, "anna") == [("fcm", "phone-1")]


def test_push_tokens_on_the_record_are_the_customer_s_devices_now(engine: Engine, now: datetime) -> None:
    # given
    register(engine, "anna", now, token="old-phone")
    # when the record is given its tokens whole, one a browser's subscription as its JSON
    upsert(engine, "anna", now, push_tokens=["new-phone", json.dumps(SUBSCRIPTION)])
    # then those are the devices, the old one removed
    assert live(engine, "anna") == [("fcm", "new-phone"), ("web", "https://push.example/sub/1")]
    assert record_tokens(engine, "anna") == [
        "new-phone",
        '{"endpoint":"https://push.example/sub/1","keys":{"p256dh":"BNcR-key","auth":"tBHI-auth"}}',
    ]


def test_a_push_token_that_is_broken_json_is_refused_naming_it(engine: Engine, now: datetime) -> None:
    with pytest.raises(InvalidCustomerChange) as refused:
        upsert(engine, "anna", now, push_tokens=["phone", '{"endpoint": "https://push.example/1"}'])
    assert refused.value.field == "push_tokens[1]"
    assert "is not a web push subscription (endpoint, keys.p256dh, keys.auth)" in refused.value.message
    assert live(engine, "anna") == []


def test_a_merge_moves_the_devices_to_the_survivor(engine: Engine, now: datetime) -> None:
    # given two records of one person, each with a device
    register(engine, "keep", now, token="phone-1")
    register(engine, "gone", now, token="laptop-1")
    # when
    do_merge_customers(engine, "keep", "gone", now, MERGE_OPTIONS)
    # then
    assert live(engine, "keep") == [("fcm", "phone-1"), ("fcm", "laptop-1")]
    assert (live(engine, "gone"), record_tokens(engine, "gone")) == ([], [])
    assert record_tokens(engine, "keep") == ["phone-1", "laptop-1"]
    # and a device the app registers later under the merged-away id goes to the survivor
    register(engine, "gone", now, token="watch-1")
    assert live(engine, "keep")[-1] == ("fcm", "watch-1")
