"""The links inside messages: the open pixel, click redirects, one-click unsubscribe; forged links do
nothing and redirect nowhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from retentio.clock import FixedClock
from retentio.customers.consent import current_consents
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.messaging.consumer import MessagesConsumer
from retentio.messaging.content import Kind
from retentio.messaging.links import Links, links_for
from retentio.messaging.requests import MessageRequest, request_messages
from retentio.messaging.store import changes_of, load_messages, save_messages

BROWSER = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"}


def _sent(engine: Engine, now: datetime) -> tuple[str, Links]:
    with engine.begin() as connection:
        [requested] = request_messages(
            connection, [MessageRequest("c1", "promo", Kind.MARKETING, "p-1")], now
        )
        message = load_messages(connection, [requested.message_id])[requested.message_id]
        sent_at = now - timedelta(minutes=5)
        step = {
            "channel": "email",
            "recipient": "ann@example.ru",
            "outcome": "sent",
            "sent_at": sent_at.isoformat(),
        }
        save_messages(
            connection,
            [
                changes_of(message)
                | {"state": "sent", "channel": "email", "steps": [step], "sent_at": sent_at}
            ],
            now,
        )
        links = links_for(connection, "http://testserver", None, now)
    return requested.message_id, links


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _logged(engine: Engine) -> list[tuple[str, bool]]:
    with engine.connect() as connection:
        rows = connection.execute(select(events.c.type, events.c.properties).order_by(events.c.id)).all()
    return [(row.type, row.properties["machine"]) for row in rows if row.type.startswith("message_")]


def test_an_open_and_a_click_are_logged_once_and_the_click_lands_on_its_target(
    client: TestClient, engine: Engine, now: datetime
) -> None:
    message_id, links = _sent(engine, now)
    for _ in range(2):
        pixel = client.get(_path(links.open_pixel(message_id)), headers=BROWSER)
        assert (pixel.status_code, pixel.headers["content-type"]) == (200, "image/gif")
    target = "https://shop.example/sale?utm_source=retentio&x=1"
    answer = client.get(_path(links.click(message_id, target)), headers=BROWSER, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (302, target)
    scanner = client.get(
        _path(links.click(message_id, target)),
        headers={"User-Agent": "Barracuda Sentinel"},
        follow_redirects=False,
    )
    assert scanner.status_code == 302
    assert _logged(engine) == [
        ("message_opened", False),
        ("message_clicked", False),
        ("message_clicked", True),
    ]
    drain(engine, [MessagesConsumer()], FixedClock(now))
    with engine.connect() as connection:
        assert load_messages(connection, [message_id])[message_id].state.value == "seen"


def test_forged_or_edited_links_do_nothing_and_redirect_nowhere(
    client: TestClient, engine: Engine, now: datetime
) -> None:
    message_id, links = _sent(engine, now)
    edited = _path(links.click(message_id, "https://shop.example/")).replace("shop.example", "evil.example")
    assert client.get(edited, follow_redirects=False).status_code == 404
    forged = Links("http://testserver", b"someone else's secret!!")
    assert client.get(_path(forged.open_pixel(message_id))).status_code == 404
    assert (
        client.post(_path(forged.unsubscribe(message_id)), content=b"List-Unsubscribe=One-Click").status_code
        == 404
    )
    assert _logged(engine) == []


def test_one_click_unsubscribe_withdraws_the_channel_and_the_page_alone_does_not(
    client: TestClient, engine: Engine, now: datetime
) -> None:
    message_id, links = _sent(engine, now)
    page = client.get(_path(links.unsubscribe(message_id)))
    assert page.status_code == 200 and "<form method='post'>" in page.text
    assert urlsplit(links.preferences("c1")).path + "'" in page.text  # or stop only some kinds instead
    assert _logged(engine) == []
    wrong = client.post(_path(links.unsubscribe(message_id)), content=b"yes please")
    assert wrong.status_code == 400
    done = client.post(
        _path(links.unsubscribe(message_id)),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200
    drain(engine, [MessagesConsumer()], FixedClock(now))
    with engine.connect() as connection:
        assert current_consents(connection, ["c1"], now + timedelta(seconds=1)) == {"c1": {"email": False}}
