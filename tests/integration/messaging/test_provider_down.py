"""A provider down for ten minutes — refusing connections, then answering 5xx, then 429 — loses no
message: afterwards each goes out (once) within its validity, or is recorded as expired."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from tests.fakes.http import Response
from tests.fakes.smsru import FakeSmsRu

from retentio.clock import FixedClock
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.channels.smsru import SmsRu, SmsRuSettings
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import SendingRules
from retentio.messaging.links import links_for
from retentio.messaging.requests import SEND, MessageRequest, request_messages
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.send.step import Sender
from retentio.messaging.store import load_messages
from retentio.messaging.template_store import save_template
from retentio.schedule.kinds import Delivery, Registry
from retentio.schedule.kinds import Kind as WorkKind
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue

CUSTOMERS = 30
TEMPLATE = {
    "name": "code",
    "default_locale": "ru",
    "channels": {"sms": {"ru": {"text": "Код {{ customer.id }}"}}},
}


@pytest.fixture
def smsru() -> Iterator[FakeSmsRu]:
    with FakeSmsRu() as fake:
        yield fake


def test_messages_wait_out_a_provider_outage_and_go_once_or_expire(
    engine: Engine, now: datetime, smsru: FakeSmsRu
) -> None:
    clock = FixedClock(now)
    smsru.balance = Decimal(1_000_000)
    with engine.begin() as connection:
        for n in range(CUSTOMERS):
            data = CustomerUpsert.model_validate({"phone": f"+7916000{n:04d}"})
            do_upsert_customer(connection, f"c{n}", data, now, timedelta(days=1))
        save_template(connection, TEMPLATE, now)
        requests = [
            MessageRequest(f"c{n}", "code", Kind.TRANSACTIONAL, f"code-{n}", channels=("sms",))
            for n in range(CUSTOMERS)
        ]
        # one that is worth nothing after five minutes
        requests.append(
            MessageRequest(
                "c0",
                "code",
                Kind.TRANSACTIONAL,
                "short",
                channels=("sms",),
                valid_until=now + timedelta(minutes=5),
            )
        )
        asked = [r.message_id for r in request_messages(connection, requests, now)]
        links = links_for(connection, "https://crm.example.ru", None, now)
    settings = SmsRuSettings(
        base_url=smsru.url, api_id=SecretStr(smsru.api_id), rate_per_second=1000, burst=1000
    )
    adapter = SmsRu(settings)
    # The provider's pauses (429 Retry-After) pass on the test's clock, as real time would.
    adapter._http.rate = RateLimit(1000, 1000, monotonic=lambda: clock.now().timestamp())
    channels = ChannelLoop({ChannelName.SMS: adapter})
    sender = Sender(engine, channels, SendingRules(quiet_hours=None, best_hour=False), links, clock, "RUB")
    kind = WorkKind(SEND, sender.run_one, Delivery.AT_LEAST_ONCE, batch_handler=sender.run)
    runner = Runner(SqlQueue(engine), Registry([kind]), clock)
    try:
        with smsru.down():  # minutes 0-4: connections refused
            for _ in range(8):
                runner.run_all_due()
                clock.advance(timedelta(seconds=30))
        smsru.force(*[Response.text(503, "Service Unavailable")] * 200)  # minutes 4-7: 5xx
        for _ in range(6):
            runner.run_all_due()
            clock.advance(timedelta(seconds=30))
        smsru._forced.clear()
        smsru.force(*[Response.json(429, {"status": "ERROR"}, {"Retry-After": "60"})] * 200)  # 7-10: 429
        for _ in range(6):
            runner.run_all_due()
            clock.advance(timedelta(seconds=30))
        smsru._forced.clear()
        for _ in range(30):  # back: everything waiting goes out as its retry falls due
            runner.run_all_due()
            clock.advance(timedelta(minutes=1))
    finally:
        channels.close()
    with engine.connect() as connection:
        found = load_messages(connection, asked)
    states = Counter(message.state.value for message in found.values())
    assert states == {"sent": CUSTOMERS, "expired": 1}
    assert all(
        any(step["outcome"] == "retry" for step in m.steps) for m in found.values() if m.state.value == "sent"
    )
    received = Counter(sms.to for sms in smsru.sent)
    assert len(received) == CUSTOMERS and set(received.values()) == {1}  # each once
