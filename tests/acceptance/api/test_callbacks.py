"""POST /v1/callbacks/{provider}: SMS.ru's delivery reports reach the message they are about."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from retentio.api.app import create_app
from retentio.clock import FixedClock
from retentio.config import Settings
from retentio.events.consumers import drain
from retentio.messaging.channels.smsru import SmsRu, SmsRuSettings
from retentio.messaging.consumer import MessagesConsumer
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.requests import MessageRequest, request_messages
from retentio.messaging.store import changes_of, load_messages, save_messages


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
