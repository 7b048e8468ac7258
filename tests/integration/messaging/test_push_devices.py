"""Push reaches every device of the customer: the send step over real sockets to the fake FCM and the
fake web push service, through the adapters the worker builds (``providers.with_devices``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select
from tests.fakes.fcm import FakeFcm, FakeRuStore
from tests.fakes.webpush import FakePushService, FakeSubscription
from tests.integration.messaging.test_web_push import VAPID_PRIVATE, VAPID_PUBLIC

from retentio.clock import FixedClock, SystemClock
from retentio.customers import (
    CustomerUpsert,
    PushDeviceRegistration,
    do_register_push_device,
    do_upsert_customer,
)
from retentio.customers.tables import customers, push_devices
from retentio.messaging.callbacks import report_events
from retentio.messaging.channels.mobile_push.fcm import FcmSettings, fcm_channel
from retentio.messaging.channels.mobile_push.rustore import RuStoreSettings, rustore_channel
from retentio.messaging.channels.port import Channel, DeliveryReport, ReportStatus
from retentio.messaging.channels.providers import Wiring, with_devices
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.channels.web_push import WebPushChannel, WebPushSettings
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import SendingRules
from retentio.messaging.links import links_for
from retentio.messaging.requests import SEND, MessageRequest, request_messages
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.send.step import Sender
from retentio.messaging.store import StoredMessage, load_messages
from retentio.messaging.tables import push_sends
from retentio.messaging.template_store import save_template
from retentio.schedule.kinds import Delivery, Registry
from retentio.schedule.kinds import Kind as WorkKind
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue

_PUSH_PARTS = {"ru": {"title": "Корзина ждёт", "body": "{{ customer.first_name }}, оформите заказ"}}
CART = {"name": "cart", "default_locale": "ru", "channels": {"push": _PUSH_PARTS, "web_push": _PUSH_PARTS}}
PHONE, TABLET, OLD_PHONE = "fcm-phone", "fcm-tablet", "fcm-old-phone"


@pytest.fixture
def fcm() -> Iterator[FakeFcm]:
    with FakeFcm() as server:
        yield server


@pytest.fixture
def browsers() -> Iterator[FakePushService]:
    with FakePushService() as server:
        yield server


def customer(engine: Engine, now: datetime, customer_id: str, *devices: PushDeviceRegistration) -> None:
    consent = {"channel": "push", "granted": True, "source": "app"}
    data = CustomerUpsert.model_validate({"first_name": "Анна", "locale": "ru", "consents": [consent]})
    with engine.begin() as connection:
        do_upsert_customer(connection, customer_id, data, now, timedelta(days=1))
        for device in devices:
            do_register_push_device(connection, customer_id, device, now)


def app(token: str) -> PushDeviceRegistration:
    return PushDeviceRegistration(platform="fcm", token=token)


def browser(subscription: FakeSubscription) -> PushDeviceRegistration:
    return PushDeviceRegistration.model_validate(
        {"platform": "web", "subscription": json.loads(subscription.to_json())}
    )


def fcm_adapter(fcm: FakeFcm, clock: FixedClock) -> Channel:
    settings = FcmSettings(service_account_json=SecretStr(fcm.service_account_json()), base_url=fcm.url)
    return fcm_channel(settings, clock, RateLimit(1000, 1000))


def web_adapter() -> Channel:
    """Signing on the wall clock: the push service checks the VAPID expiry against its own."""
    settings = WebPushSettings(
        vapid_private_key=SecretStr(VAPID_PRIVATE),
        vapid_subject="mailto:push@shop.example",
        allow_plain_http=True,
    )
    return WebPushChannel(settings, SystemClock(), RateLimit(1000, 1000))


def send_all(engine: Engine, clock: FixedClock, adapters: dict[ChannelName, Channel]) -> list[str]:
    """Every message due, sent as the worker sends it; a line per message."""
    wiring = Wiring(engine, clock)
    channels = ChannelLoop({name: with_devices(adapter, wiring) for name, adapter in adapters.items()})
    with engine.connect() as connection:
        links = links_for(connection, "https://crm.example.ru", None, clock.now())
    sender = Sender(engine, channels, SendingRules(quiet_hours=None, best_hour=False), links, clock, "RUB")
    lines: list[str] = []
    kind = WorkKind(SEND, sender.run_one, Delivery.AT_LEAST_ONCE, batch_handler=sender.run)
    runner = Runner(SqlQueue(engine), Registry([kind]), clock, report=lambda o: lines.append(str(o.summary)))
    try:
        runner.run_all_due()
    finally:
        channels.close()
    return lines


def request(engine: Engine, now: datetime, customer_id: str, key: str, channel: str = "push") -> str:
    with engine.begin() as connection:
        save_template(connection, CART, now)
        asked = MessageRequest(customer_id, "cart", Kind.MARKETING, key, channels=(channel,))
        [made] = request_messages(connection, [asked], now)
    return made.message_id


def message(engine: Engine, message_id: str) -> StoredMessage:
    with engine.connect() as connection:
        return load_messages(connection, [message_id])[message_id]


def devices_of(engine: Engine, customer_id: str) -> dict[str, str | None]:
    """token → why it was removed (None: live)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(push_devices.c.token, push_devices.c.removed_reason).where(
                push_devices.c.customer_id == customer_id
            )
        )
        return {row.token: row.removed_reason for row in rows}


def test_a_push_goes_to_each_live_device_and_a_dead_token_is_removed_while_the_others_get_it(
    engine: Engine, now: datetime, fcm: FakeFcm
) -> None:
    # given three app installs, one of them removed from its phone
    clock = FixedClock(now)
    for token in (PHONE, TABLET, OLD_PHONE):
        fcm.register(token)
    fcm.unregister(OLD_PHONE)
    customer(engine, now, "c1", app(PHONE), app(OLD_PHONE), app(TABLET))
    message_id = request(engine, now, "c1", "cart-1")
    # when
    lines = send_all(engine, clock, {ChannelName.PUSH: fcm_adapter(fcm, clock)})
    # then two devices got it, once each, and the dead one is removed with FCM's words
    assert lines[0].startswith("sent on push")
    assert sorted(pushed.token for pushed in fcm.delivered) == [PHONE, TABLET]
    devices = devices_of(engine, "c1")
    assert (devices[PHONE], devices[TABLET]) == (None, None)
    assert devices[OLD_PHONE] == "FCM HTTP 404 UNREGISTERED: Requested entity was not found."
    # and the message is sent, every device's provider id recorded
    sent = message(engine, message_id)
    names = {pushed.token: pushed.name for pushed in fcm.delivered}
    assert (sent.state.value, sent.provider_id) == ("sent", names[PHONE])
    with engine.connect() as connection:
        recorded = connection.execute(select(push_sends.c.provider_id).order_by(push_sends.c.device_id))
        assert [row.provider_id for row in recorded] == [names[PHONE], names[TABLET]]
        # and a report about the second device finds the message
        report = DeliveryReport(names[TABLET], ReportStatus.DELIVERED)
        found, unknown = report_events(connection, ChannelName.PUSH, [report], now)
        # and the customer record shows the live devices only (the segment rules' has_push reads it)
        tokens = connection.execute(select(customers.c.push_tokens).where(customers.c.customer_id == "c1"))
        assert tokens.scalar_one() == [PHONE, TABLET]
    assert ([event["properties"]["message_id"] for event in found], unknown) == ([message_id], 0)


def test_when_every_device_is_dead_the_message_is_unreachable_and_the_next_finds_no_contact(
    engine: Engine, now: datetime, fcm: FakeFcm
) -> None:
    # given two installs, both removed from their phones
    clock = FixedClock(now)
    for token in (PHONE, TABLET):
        fcm.register(token)
        fcm.unregister(token)
    customer(engine, now, "c2", app(PHONE), app(TABLET))
    first = request(engine, now, "c2", "cart-2")
    # when
    send_all(engine, clock, {ChannelName.PUSH: fcm_adapter(fcm, clock)})
    asked_before = len(fcm.requests)
    second = request(engine, now, "c2", "cart-3")
    send_all(engine, clock, {ChannelName.PUSH: fcm_adapter(fcm, clock)})
    # then the first failed on unreachable devices, both removed
    failed = message(engine, first)
    assert (failed.state.value, failed.steps[-1]["outcome"]) == ("failed", "unreachable")
    gone = "every device is gone: unreachable: FCM HTTP 404 UNREGISTERED"
    assert failed.steps[-1]["reason"].startswith(gone)
    assert all(reason is not None for reason in devices_of(engine, "c2").values())
    # and the second is not sent for want of a contact, without asking FCM
    not_sent = message(engine, second)
    assert (not_sent.state.value, not_sent.reason) == ("not_sent", "no_contact")
    assert [request.path for request in fcm.requests[asked_before:]] == ["/token"] * (
        len(fcm.requests) - asked_before
    )
    assert fcm.delivered == []


def test_rustore_s_404_removes_the_device_and_the_other_gets_the_message(
    engine: Engine, now: datetime
) -> None:
    # given two RuStore installs, one of them gone
    clock = FixedClock(now)
    with FakeRuStore() as rustore:
        for token in (PHONE, TABLET):
            rustore.register(token)
        rustore.unregister(TABLET)
        customer(engine, now, "c4", PushDeviceRegistration(platform="rustore", token=PHONE))
        customer(engine, now, "c4", PushDeviceRegistration(platform="rustore", token=TABLET))
        message_id = request(engine, now, "c4", "cart-5")
        settings = RuStoreSettings(
            project_id=rustore.project_id,
            service_token=SecretStr(rustore.service_token),
            base_url=rustore.url,
        )
        # when
        send_all(engine, clock, {ChannelName.PUSH: rustore_channel(settings, RateLimit(1000, 1000))})
    # then RuStore names no message: each device's send is known by Retentio's id of the message
    assert [pushed.token for pushed in rustore.delivered] == [PHONE]
    assert devices_of(engine, "c4") == {
        PHONE: None,
        TABLET: "RuStore HTTP 404 NOT_FOUND: push token not found",
    }
    assert (message(engine, message_id).state.value, message(engine, message_id).provider_id) == (
        "sent",
        message_id,
    )


def test_web_push_goes_to_each_browser_and_an_expired_subscription_is_removed(
    engine: Engine, now: datetime, browsers: FakePushService
) -> None:
    # given a laptop's and a phone's browser subscribed, the phone's since revoked
    clock = FixedClock(now)
    laptop, phone = browsers.subscribe(VAPID_PUBLIC), browsers.subscribe(VAPID_PUBLIC)
    browsers.expire(phone)
    customer(engine, now, "c3", browser(laptop), browser(phone))
    message_id = request(engine, now, "c3", "cart-4", channel="web_push")
    # when
    lines = send_all(engine, clock, {ChannelName.WEB_PUSH: web_adapter()})
    # then
    assert lines[0].startswith("sent on web_push")
    assert [pushed.subscription for pushed in browsers.pushed] == [laptop.number]
    assert browsers.pushed[0].json()["title"] == "Корзина ждёт"
    devices = devices_of(engine, "c3")
    assert devices[laptop.endpoint] is None
    assert devices[phone.endpoint] == "web push HTTP 410 push subscription has unsubscribed or expired"
    assert message(engine, message_id).provider_id == f"{browsers.url}/message/1"
