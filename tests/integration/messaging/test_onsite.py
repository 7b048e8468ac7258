"""The on-site inbox: the channel stores banners, the site lists them and marks them seen or closed
(SQLite by default, PostgreSQL with RETENTIO_TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from retentio.clock import FixedClock
from retentio.messaging.channels.onsite import OnsiteChannel, OnsiteSettings
from retentio.messaging.channels.port import Outgoing, SendResult, SendStatus
from retentio.messaging.content import ChannelName, Kind, PushBody, TextBody
from retentio.messaging.onsite_inbox import (
    Marked,
    OnsiteMessage,
    active_onsite_messages,
    do_add_onsite_message,
    do_dismiss_onsite_message,
    do_mark_onsite_seen,
)
from retentio.messaging.tables import onsite_messages

CUSTOMER = "c-1"


def banner(message_id: str, customer: str = CUSTOMER, title: str = "Скидка 15 % на обувь") -> Outgoing:
    body = PushBody(
        title, "Только до воскресенья", "https://shop.example/shoes", "https://shop.example/b.png"
    )
    return Outgoing(message_id, ChannelName.ONSITE, customer, body, Kind.MARKETING)


def send(engine: Engine, clock: FixedClock, *messages: Outgoing, lifetime_days: int = 14) -> list[SendResult]:
    channel = OnsiteChannel(engine, OnsiteSettings(lifetime_days=lifetime_days), clock)

    async def run() -> list[SendResult]:
        await channel.check()
        return [await channel.send(message) for message in messages]

    return asyncio.run(run())


def inbox(
    engine: Engine, at: datetime, customer: str = CUSTOMER, unread_only: bool = False
) -> list[OnsiteMessage]:
    with engine.connect() as connection:
        return active_onsite_messages(connection, customer, at, unread_only=unread_only)


def test_a_banner_lands_in_the_customers_inbox_with_its_russian_text(engine: Engine, now: datetime) -> None:
    # when
    [result] = send(engine, FixedClock(now), banner("m-1"))
    # then
    assert result == SendResult.sent("m-1")
    assert inbox(engine, now) == [
        OnsiteMessage(
            message_id="m-1",
            customer_id=CUSTOMER,
            kind=Kind.MARKETING,
            title="Скидка 15 % на обувь",
            body="Только до воскресенья",
            url="https://shop.example/shoes",
            image_url="https://shop.example/b.png",
            created_at=now,
            expires_at=now + timedelta(days=14),
        )
    ]


def test_sending_the_same_message_again_keeps_one_row(engine: Engine, now: datetime) -> None:
    results = send(engine, FixedClock(now), banner("m-1"), banner("m-1", title="другой текст"))
    assert [result.status for result in results] == [SendStatus.SENT, SendStatus.SENT]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(onsite_messages)).scalar_one() == 1
    assert inbox(engine, now)[0].title == "Скидка 15 % на обувь"


def test_the_inbox_shows_one_customers_live_messages_newest_first(engine: Engine, now: datetime) -> None:
    # given: two messages a minute apart, one for someone else, one that never expires
    clock = FixedClock(now)
    send(engine, clock, banner("m-1"), banner("other", customer="c-2"))
    clock.advance(timedelta(minutes=1))
    send(engine, clock, banner("m-2"))
    send(engine, clock, banner("m-forever"), lifetime_days=0)
    # then
    # (m-2 and m-forever came at the same time: the later id first)
    assert [message.message_id for message in inbox(engine, now + timedelta(minutes=1))] == [
        "m-forever",
        "m-2",
        "m-1",
    ]
    later = now + timedelta(days=14, seconds=30)  # m-1 has expired, m-2 has 30 seconds left
    assert [message.message_id for message in inbox(engine, later)] == ["m-forever", "m-2"]


def test_seen_once_then_already_and_unread_only_leaves_it_out(engine: Engine, now: datetime) -> None:
    send(engine, FixedClock(now), banner("m-1"), banner("m-2"))
    seen_at = now + timedelta(hours=1)
    with engine.begin() as connection:
        first = do_mark_onsite_seen(connection, CUSTOMER, "m-1", seen_at)
        again = do_mark_onsite_seen(connection, CUSTOMER, "m-1", seen_at + timedelta(hours=1))
    assert (first, again) == (Marked.MARKED, Marked.ALREADY)
    assert [message.message_id for message in inbox(engine, seen_at, unread_only=True)] == ["m-2"]
    [m1] = [message for message in inbox(engine, seen_at) if message.message_id == "m-1"]
    assert m1.seen_at == seen_at


def test_a_dismissed_message_leaves_the_inbox_and_counts_as_seen(engine: Engine, now: datetime) -> None:
    send(engine, FixedClock(now), banner("m-1"))
    closed_at = now + timedelta(minutes=5)
    with engine.begin() as connection:
        assert do_dismiss_onsite_message(connection, CUSTOMER, "m-1", closed_at) is Marked.MARKED
        assert do_dismiss_onsite_message(connection, CUSTOMER, "m-1", closed_at) is Marked.ALREADY
        row = connection.execute(select(onsite_messages.c.seen_at, onsite_messages.c.dismissed_at)).one()
    assert inbox(engine, closed_at) == []
    assert tuple(row) == (closed_at, closed_at)


def test_dismissing_keeps_the_first_seen_time(engine: Engine, now: datetime) -> None:
    send(engine, FixedClock(now), banner("m-1"))
    with engine.begin() as connection:
        do_mark_onsite_seen(connection, CUSTOMER, "m-1", now + timedelta(minutes=1))
        do_dismiss_onsite_message(connection, CUSTOMER, "m-1", now + timedelta(minutes=9))
        seen = connection.execute(select(onsite_messages.c.seen_at)).scalar_one()
    assert seen == now + timedelta(minutes=1)


def test_another_customer_cannot_mark_a_message_that_is_not_theirs(engine: Engine, now: datetime) -> None:
    send(engine, FixedClock(now), banner("m-1"))
    with engine.begin() as connection:
        assert do_mark_onsite_seen(connection, "c-2", "m-1", now) is Marked.NOT_FOUND
        assert do_dismiss_onsite_message(connection, "c-2", "m-1", now) is Marked.NOT_FOUND
        assert do_mark_onsite_seen(connection, CUSTOMER, "no-such", now) is Marked.NOT_FOUND
    assert inbox(engine, now)[0].seen_at is None


def test_a_text_body_or_no_customer_is_not_stored(engine: Engine, now: datetime) -> None:
    text = Outgoing("m-1", ChannelName.ONSITE, CUSTOMER, TextBody("текст"), Kind.TRIGGER)
    failed, unreachable = send(engine, FixedClock(now), text, banner("m-2", customer=" "))
    assert (failed.status, unreachable.status) == (SendStatus.FAILED, SendStatus.UNREACHABLE)
    assert inbox(engine, now) == []


def test_the_store_functions_insert_once(engine: Engine, now: datetime) -> None:
    message = OnsiteMessage("m-1", CUSTOMER, Kind.TRANSACTIONAL, "Заказ оплачен", "Спасибо!", None, None, now)
    with engine.begin() as connection:
        assert do_add_onsite_message(connection, message) is True
        assert do_add_onsite_message(connection, message) is False
    assert inbox(engine, now) == [message]
