"""The send step end to end: requested messages are decided, rendered, sent over real SMTP (an
aiosmtpd server) and recorded; a cascade moves on; rules that stop a message say which."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.fakes.smtp import FakeSmtpServer

from retentio.clock import FixedClock
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.events.tables import events
from retentio.messaging.channels.email import EmailChannel, EmailSettings
from retentio.messaging.channels.outbox import OutboxChannel, OutboxSettings
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import SendingRules
from retentio.messaging.links import links_for
from retentio.messaging.requests import SEND, MessageRequest, request_messages
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.send.step import Sender
from retentio.messaging.store import StoredMessage, load_messages
from retentio.messaging.template_store import save_template
from retentio.schedule.kinds import Delivery, Registry
from retentio.schedule.kinds import Kind as WorkKind
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue
from retentio.segments import customer_standing

WELCOME = {
    "name": "welcome",
    "default_locale": "ru",
    "channels": {
        "email": {
            "ru": {
                "subject": "Здравствуйте, {{ customer.first_name }}!",
                "html": "<p>Скидка для вас: <a href='https://shop.example/sale'>распродажа</a></p>",
            },
            "en": {"subject": "Hello, {{ customer.first_name }}!", "text": "Sale: https://shop.example/sale"},
        },
        "sms": {"ru": {"text": "Привет, {{ customer.first_name }}"}},
    },
}


@pytest.fixture
def smtp() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer() as server:
        yield server


def _customer(engine: Engine, now: datetime, customer_id: str, **fields: Any) -> None:
    data = CustomerUpsert.model_validate({"first_name": "Анна", "locale": "ru", **fields})
    with engine.begin() as connection:
        do_upsert_customer(connection, customer_id, data, now, timedelta(days=1))


def _sender(engine: Engine, clock: FixedClock, smtp: FakeSmtpServer, tmp_outbox: str) -> Sender:
    email_settings = EmailSettings(
        host=smtp.host, port=smtp.port, security="none", from_address="shop@example.ru"
    )
    channels = ChannelLoop(
        {
            ChannelName.EMAIL: EmailChannel(email_settings),
            ChannelName.OUTBOX: OutboxChannel(OutboxSettings(path=tmp_outbox)),
        }
    )
    with engine.begin() as connection:
        links = links_for(connection, "https://crm.example.ru", None, clock.now())
    return Sender(engine, channels, SendingRules(quiet_hours=None, best_hour=False), links, clock, "RUB")


def _run(engine: Engine, sender: Sender, clock: FixedClock) -> list[str]:
    lines: list[str] = []
    kind = WorkKind(SEND, sender.run_one, Delivery.AT_LEAST_ONCE, batch_handler=sender.run)
    runner = Runner(SqlQueue(engine), Registry([kind]), clock, report=lambda o: lines.append(str(o.summary)))
    runner.run_all_due()
    return lines


def _request(engine: Engine, now: datetime, *requests: MessageRequest) -> list[str]:
    with engine.begin() as connection:
        save_template(connection, WELCOME, now)
        return [r.message_id for r in request_messages(connection, list(requests), now)]


def _message(engine: Engine, message_id: str) -> StoredMessage:
    with engine.connect() as connection:
        return load_messages(connection, [message_id])[message_id]


def _mail(smtp: FakeSmtpServer) -> Message:
    [received] = smtp.received
    return email.message_from_bytes(received.content, policy=email.policy.default)


def test_a_marketing_email_goes_out_once_with_tracking_and_one_click_unsubscribe(
    engine: Engine, now: datetime, smtp: FakeSmtpServer, tmp_path: Any
) -> None:
    clock = FixedClock(now)
    _customer(
        engine,
        now,
        "c1",
        email="ann@example.ru",
        consents=[{"channel": "email", "granted": True, "source": "form"}],
    )
    [message_id] = _request(
        engine, now, MessageRequest("c1", "welcome", Kind.MARKETING, "promo-1", channels=("email",))
    )
    sender = _sender(engine, clock, smtp, str(tmp_path / "out.jsonl"))
    try:
        lines = _run(engine, sender, clock)
        again = _run(engine, sender, clock)
    finally:
        sender.channels.close()
    assert lines[0].startswith("sent on email")
    assert again == []
    mail = _mail(smtp)
    assert mail["Subject"] == "Здравствуйте, Анна!"
    assert (
        mail["Message-ID"].startswith("<") and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    assert "https://crm.example.ru/u/" in mail["List-Unsubscribe"]
    html = next(part for part in mail.walk() if part.get_content_type() == "text/html").get_payload(
        decode=True
    )
    assert b"https://crm.example.ru/t/c/" in html and b"/t/o/" in html  # the link and the pixel
    message = _message(engine, message_id)
    assert (message.state.value, message.channel, message.provider_id) == (
        "sent",
        "email",
        mail["Message-ID"],
    )
    assert message.consent_change_id is not None
    with engine.connect() as connection:
        logged = connection.execute(
            select(events.c.type, events.c.derived).where(events.c.type.like("message_%"))
        ).all()
    assert [(row.type, row.derived) for row in logged] == [("message_sent", True)]


def test_without_consent_a_marketing_message_is_not_sent_and_says_why(
    engine: Engine, now: datetime, smtp: FakeSmtpServer, tmp_path: Any
) -> None:
    clock = FixedClock(now)
    _customer(engine, now, "c2", email="bob@example.ru")
    [promo, receipt] = _request(
        engine,
        now,
        MessageRequest("c2", "welcome", Kind.MARKETING, "promo-2", channels=("email",)),
        MessageRequest("c2", "welcome", Kind.TRANSACTIONAL, "receipt-2", channels=("email",)),
    )
    sender = _sender(engine, clock, smtp, str(tmp_path / "out.jsonl"))
    try:
        _run(engine, sender, clock)
    finally:
        sender.channels.close()
    not_sent = _message(engine, promo)
    assert (not_sent.state.value, not_sent.reason) == ("not_sent", "no_consent")
    assert _message(engine, receipt).state.value == "sent"  # transactional: its own rule
    assert len(smtp.received) == 1


def test_an_incentive_is_not_sent_to_a_customer_the_bad_customer_checklist_flags(
    engine: Engine, now: datetime, smtp: FakeSmtpServer, tmp_path: Any
) -> None:
    # given: a customer with email consent whom the checklist flags (returns everything, say)
    clock = FixedClock(now)
    consent = [{"channel": "email", "granted": True, "source": "form"}]
    _customer(engine, now, "c7", email="eve@example.ru", consents=consent)
    with engine.begin() as connection:
        connection.execute(
            customer_standing.insert(),
            {
                "customer_id": "c7",
                "lifecycle": "active",
                "ladder": "customer",
                "bad_score": 9,
                "bad_customer": True,
                "bad_reasons": ["returns"],
                "do_not_incentivize": True,
                "computed_at": now,
            },
        )
    coupon, news = _request(
        engine,
        now,
        MessageRequest("c7", "welcome", Kind.MARKETING, "coupon-7", channels=("email",), incentive=True),
        MessageRequest("c7", "welcome", Kind.MARKETING, "news-7", channels=("email",)),
    )
    sender = _sender(engine, clock, smtp, str(tmp_path / "out.jsonl"))
    # when
    try:
        _run(engine, sender, clock)
    finally:
        sender.channels.close()
    # then: the coupon is not sent and says why; the newsletter, no incentive, goes
    not_sent = _message(engine, coupon)
    assert (not_sent.state.value, not_sent.reason) == ("not_sent", "bad_customer_incentive")
    assert not_sent.as_json()["incentive"] is True
    assert _message(engine, news).state.value == "sent"
    assert len(smtp.received) == 1


def test_a_cascade_moves_to_the_next_channel_when_the_first_refuses_the_address(
    engine: Engine, now: datetime, smtp: FakeSmtpServer, tmp_path: Any
) -> None:
    clock = FixedClock(now)
    _customer(engine, now, "c3", email="gone@example.ru")
    smtp.refuse("gone@example.ru", "550 5.1.1 no such user")
    [message_id] = _request(
        engine,
        now,
        MessageRequest("c3", "welcome", Kind.TRANSACTIONAL, "receipt-3", channels=("email", "outbox")),
    )
    sender = _sender(engine, clock, smtp, str(tmp_path / "out.jsonl"))
    try:
        _run(engine, sender, clock)
    finally:
        sender.channels.close()
    message = _message(engine, message_id)
    assert [(step["channel"], step["outcome"]) for step in message.steps] == [
        ("email", "unreachable"),
        ("outbox", "sent"),
    ]
    assert (message.state.value, message.channel) == ("sent", "outbox")
    assert "Здравствуйте, Анна!" in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_a_template_that_fails_for_one_customer_fails_that_message_only(
    engine: Engine, now: datetime, smtp: FakeSmtpServer, tmp_path: Any
) -> None:
    clock = FixedClock(now)
    _customer(engine, now, "c4", email="a@example.ru")
    _customer(engine, now, "c5", email="b@example.ru")
    [bad, good] = _request(
        engine,
        now,
        MessageRequest(
            "c4", "welcome", Kind.TRANSACTIONAL, "r-4", channels=("email",), variables={"basket": 1}
        ),
        MessageRequest("c5", "welcome", Kind.TRANSACTIONAL, "r-5", channels=("email",)),
    )
    sender = _sender(engine, clock, smtp, str(tmp_path / "out.jsonl"))
    try:
        _run(engine, sender, clock)
    finally:
        sender.channels.close()
    failed = _message(engine, bad)
    assert (failed.state.value, failed.reason) == ("failed", "template_error")
    assert "unknown variable 'basket'" in (failed.detail or "")
    assert _message(engine, good).state.value == "sent"
