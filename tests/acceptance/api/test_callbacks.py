"""POST /v1/callbacks/{provider}: SMS.ru's delivery reports reach the message they are about."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from tests.fakes.smsru import FakeSmsRu

from retentio.api.app import create_app
from retentio.clock import FixedClock
from retentio.config import Settings
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.ingest import IngestOptions, ingest_delivery_reports
from retentio.messaging.channels.smsru import SmsRu, SmsRuSettings
from retentio.messaging.consumer import MessagesConsumer
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.reports_polling import POLL_REPORTS, ReportPoller, first_poll
from retentio.messaging.requests import MessageRequest, request_messages
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.store import changes_of, load_messages, save_messages
from retentio.schedule.kinds import Delivery, Registry
from retentio.schedule.kinds import Kind as WorkKind
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue, enqueue


@pytest.fixture
def sms_client(engine: Engine, now: datetime, settings: Settings) -> Iterator[TestClient]:
    smsru = SmsRu(SmsRuSettings(api_id="key", callback_token="s3cret"))
    app = create_app(engine, FixedClock(now), settings, report_readers={"smsru": (ChannelName.SMS, smsru)})
    with TestClient(app) as client:
        yield client


def _sent_sms(engine: Engine, now: datetime, key: str, provider_id: str) -> str:
    with engine.begin() as connection:
        [asked] = request_messages(
            connection, [MessageRequest("c1", "t", Kind.TRIGGER, key, channels=("sms", "email"))], now
        )
        message = load_messages(connection, [asked.message_id])[asked.message_id]
        step = {
            "channel": "sms",
            "recipient": "79161234567",
            "outcome": "sent",
            "sent_at": now.isoformat(),
            "provider_id": provider_id,
        }
        change = changes_of(message) | {
            "state": "sent",
            "channel": "sms",
            "provider_id": provider_id,
            "steps": [step],
        }
        save_messages(connection, [change], now)
    return asked.message_id


def _form(*entries: str) -> dict[str, str]:
    return {f"data[{n}]": entry for n, entry in enumerate(entries)}


def test_a_delivery_report_is_answered_as_sms_ru_expects_and_delivers_the_message(
    sms_client: TestClient, engine: Engine, now: datetime
) -> None:
    delivered = _sent_sms(engine, now, "k1", "201-1")
    undelivered = _sent_sms(engine, now, "k2", "201-2")
    answer = sms_client.post(
        "/v1/callbacks/smsru?token=s3cret",
        data=_form("sms_status\n201-1\n103", "sms_status\n201-2\n104", "sms_status\n999\n103"),
    )
    assert (answer.status_code, answer.text) == (200, "100")
    drain(engine, [MessagesConsumer()], FixedClock(now))
    with engine.connect() as connection:
        found = load_messages(connection, [delivered, undelivered])
    assert found[delivered].state.value == "delivered"
    assert "failed_at" in found[undelivered].steps[0]  # its cascade moves on to email


def test_a_forged_or_unknown_callback_is_refused(sms_client: TestClient) -> None:
    assert (
        sms_client.post("/v1/callbacks/smsru?token=guess", data=_form("sms_status\n1\n103")).status_code
        == 400
    )
    assert sms_client.post("/v1/callbacks/nobody", data=_form("x")).status_code == 404


def _poll(engine: Engine, at: datetime, smsru: FakeSmsRu) -> list[str | None]:
    """The worker's ``messages.poll_reports`` work, asking the fake SMS.ru, run at ``at``."""
    clock = FixedClock(at)
    adapter = SmsRu(SmsRuSettings(base_url=smsru.url, api_id=SecretStr(smsru.api_id)))
    channels = ChannelLoop({ChannelName.SMS: adapter})
    record = partial(ingest_delivery_reports, engine, options=IngestOptions())
    poller = ReportPoller(engine, channels, record, clock)
    kind = WorkKind(POLL_REPORTS, poller.run_one, Delivery.AT_LEAST_ONCE, batch_handler=poller.run)
    lines: list[str | None] = []
    try:
        Runner(
            SqlQueue(engine), Registry([kind]), clock, report=lambda o: lines.append(o.summary)
        ).run_all_due()
    finally:
        channels.close()
    return lines


@pytest.mark.parametrize("callback_first", [True, False])
def test_a_report_that_comes_by_callback_and_by_polling_is_one_event(
    sms_client: TestClient, engine: Engine, now: datetime, callback_first: bool
) -> None:
    # given: a message SMS.ru delivered, which the worker is to ask about a minute after the send
    message_id = _sent_sms(engine, now, "k3", "201-3")
    with engine.begin() as connection:
        enqueue(connection, [first_poll(message_id, ChannelName.SMS, "201-3", now, None)], now)
    with FakeSmsRu(api_id="key") as smsru:
        smsru.set_status("201-3", 103)
        # when: both come before the messages consumer folds either
        if not callback_first:
            polled = _poll(engine, now + timedelta(minutes=1), smsru)
        answer = sms_client.post("/v1/callbacks/smsru?token=s3cret", data=_form("sms_status\n201-3\n103"))
        if callback_first:
            polled = _poll(engine, now + timedelta(minutes=1), smsru)
    drain(engine, [MessagesConsumer()], FixedClock(now + timedelta(minutes=1)))
    # then
    assert answer.status_code == 200
    assert polled == [f"{message_id}: delivered (201-3, ask 1)"]
    with engine.connect() as connection:
        delivered = connection.execute(
            select(func.count()).where(
                events.c.type == "message_delivered", events.c.event_id.startswith(f"{message_id}:")
            )
        ).scalar_one()
        message = load_messages(connection, [message_id])[message_id]
    assert delivered == 1
    assert message.state.value == "delivered"
