"""Reports about sent messages reach them through the log: the messages consumer folds them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from tests.helpers import event, ingest

from retentio.clock import FixedClock
from retentio.customers.consent import current_consents
from retentio.events.consumers import drain
from retentio.messaging.consumer import MessagesConsumer
from retentio.messaging.content import Kind
from retentio.messaging.requests import SEND, MessageRequest, request_messages
from retentio.messaging.store import changes_of, load_messages, save_messages, suppressed
from retentio.schedule.tables import due_work


def _sent_email(engine: Engine, now: datetime, key: str) -> str:
    """A marketing email as the send step leaves it: sent on email after push was impossible."""
    with engine.begin() as connection:
        [requested] = request_messages(
            connection, [MessageRequest("c1", "promo", Kind.MARKETING, key, channels=("push", "email"))], now
        )
        message = load_messages(connection, [requested.message_id])[requested.message_id]
        change = changes_of(message) | {
            "state": "sent",
            "channel": "email",
            "steps": [
                {"channel": "push", "outcome": "unreachable", "reason": "no token"},
                {
                    "channel": "email",
                    "recipient": "Ann@Example.ru",
                    "outcome": "sent",
                    "sent_at": now.isoformat(),
                },
            ],
        }
        save_messages(connection, [change], now)
    return requested.message_id


def _report(message_id: str, type_: str, at: datetime, **extra: object) -> dict[str, object]:
    return event(
        f"{message_id}-{type_}-{at.isoformat()}",
        type_,
        at,
        "c1",
        message_id=message_id,
        channel="email",
        **extra,
    )


def _drain(engine: Engine, now: datetime) -> None:
    drain(engine, [MessagesConsumer()], FixedClock(now))


def test_delivery_and_a_human_open_make_the_message_seen_a_machine_open_does_not(
    engine: Engine, now: datetime
) -> None:
    message_id = _sent_email(engine, now, "promo-1")
    ingest(engine, [_report(message_id, "message_delivered", now + timedelta(seconds=5))], now)
    ingest(engine, [_report(message_id, "message_opened", now + timedelta(seconds=6), machine=True)], now)
    _drain(engine, now)
    with engine.connect() as connection:
        message = load_messages(connection, [message_id])[message_id]
    assert message.state.value == "delivered"
    assert "machine_opened_at" in message.steps[1]
    ingest(
        engine,
        [_report(message_id, "message_clicked", now + timedelta(minutes=3), url="https://shop.example")],
        now,
    )
    ingest(
        engine, [_report(message_id, "message_delivered", now + timedelta(minutes=4))], now
    )  # late, resent
    _drain(engine, now)
    with engine.connect() as connection:
        message = load_messages(connection, [message_id])[message_id]
    assert message.state.value == "seen"
    assert message.steps[1]["seen_at"] == (now + timedelta(minutes=3)).isoformat()


def test_a_bounce_suppresses_the_address_and_puts_the_message_back_on_the_queue(
    engine: Engine, now: datetime
) -> None:
    message_id = _sent_email(engine, now, "promo-2")
    ingest(
        engine,
        [_report(message_id, "message_bounced", now + timedelta(minutes=1), reason="550 5.1.1 user unknown")],
        now,
    )
    _drain(engine, now)
    with engine.connect() as connection:
        assert suppressed(connection, [("email", "ann@example.ru")]) == {
            ("email", "ann@example.ru"): "hard_bounce"
        }
        keys = set(connection.execute(select(due_work.c.key).where(due_work.c.kind == SEND)).scalars())
    assert f"{message_id}:message_bounced:email" in keys


def test_a_complaint_withdraws_the_channel_s_consent_once(engine: Engine, now: datetime) -> None:
    message_id = _sent_email(engine, now, "promo-3")
    complaint = _report(message_id, "message_complained", now + timedelta(minutes=1))
    ingest(engine, [complaint], now)
    ingest(engine, [_report(message_id, "message_unsubscribed", now + timedelta(minutes=2))], now)
    _drain(engine, now)
    with engine.connect() as connection:
        assert current_consents(connection, ["c1"], now + timedelta(hours=1)) == {"c1": {"email": False}}
        assert suppressed(connection, [("email", "ann@example.ru")]) == {
            ("email", "ann@example.ru"): "complaint"
        }


def test_reports_about_unknown_messages_change_nothing(engine: Engine, now: datetime) -> None:
    ingest(engine, [_report("m-elsewhere", "message_opened", now)], now)
    _drain(engine, now)
    with engine.connect() as connection:
        assert load_messages(connection, ["m-elsewhere"]) == {}
