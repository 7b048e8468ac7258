"""/v1/templates (save, read, preview for a customer) and a customer's on-site inbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from retentio.clock import FixedClock
from retentio.events.consumers import drain
from retentio.loyalty import LoyaltyConsumer, do_accrue, load_loyalty_config
from retentio.messaging.consumer import MessagesConsumer
from retentio.messaging.content import Kind
from retentio.messaging.onsite_inbox import OnsiteMessage, do_add_onsite_message
from retentio.messaging.requests import MessageRequest, request_messages
from retentio.messaging.store import changes_of, load_messages, save_messages

PROMO = {
    "default_locale": "ru",
    "channels": {
        "sms": {"ru": {"text": "{{ customer.first_name }}, скидка {{ coupon.code }}"}},
        "onsite": {"ru": {"title": "Скидка", "body": "Код {{ coupon.code }}"}},
    },
}


def test_a_template_is_saved_read_back_and_previewed_for_a_customer(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    admin = headers_for("admin")
    assert client.put("/v1/customers/c1", json={"first_name": "Анна"}, headers=admin).status_code == 200
    saved = client.put("/v1/templates/promo", json=PROMO, headers=admin)
    assert saved.status_code == 200, saved.text
    assert (
        client.get("/v1/templates/promo", headers=admin)
        .json()["channels"]["sms"]["ru"]["text"]
        .startswith("{{")
    )
    assert [t["name"] for t in client.get("/v1/templates", headers=admin).json()] == ["promo"]
    shown = client.post(
        "/v1/templates/promo/preview",
        json={"customer_id": "c1", "channel": "sms", "variables": {"coupon": {"code": "ANNA10"}}},
        headers=admin,
    ).json()
    assert shown["text"] == "Анна, скидка ANNA10"
    assert (shown["sms"]["encoding"], shown["sms"]["segments"]) == ("UCS-2", 1)
    missing = client.post(
        "/v1/templates/promo/preview", json={"customer_id": "c1", "channel": "sms"}, headers=admin
    )
    assert missing.status_code == 422 and "has no attribute 'code'" in missing.json()["detail"]
    assert (
        client.post("/v1/templates/nothing/preview", json={"customer_id": "c1"}, headers=admin).status_code
        == 404
    )


def test_a_template_that_does_not_compile_is_refused_naming_each_problem(
    client: TestClient, headers_for: Callable[[str], dict[str, str]]
) -> None:
    admin = headers_for("admin")
    fax = {"default_locale": "ru", "channels": {"fax": {}}}
    answer = client.put("/v1/templates/broken", json=fax, headers=admin)
    assert answer.status_code == 422
    assert [problem["field"] for problem in answer.json()["detail"]] == ["channels.fax"]
    unclosed = {"default_locale": "ru", "channels": {"sms": {"ru": {"text": "{{ customer.first_name "}}}}
    answer = client.put("/v1/templates/broken", json=unclosed, headers=admin)
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["field"] == "channels.sms.ru.text" and problem["message"].startswith("line 1:")
    assert client.get("/v1/templates/broken", headers=headers_for("admin")).status_code == 404


def test_the_inbox_shows_live_messages_and_a_seen_one_makes_its_message_seen(
    client: TestClient, headers_for: Callable[[str], dict[str, str]], engine: Engine, now: datetime
) -> None:
    with engine.begin() as connection:
        [asked] = request_messages(
            connection, [MessageRequest("c1", "promo", Kind.MARKETING, "banner-1")], now
        )
        message = load_messages(connection, [asked.message_id])[asked.message_id]
        step = {"channel": "onsite", "recipient": "c1", "outcome": "sent", "sent_at": now.isoformat()}
        save_messages(
            connection, [changes_of(message) | {"state": "sent", "channel": "onsite", "steps": [step]}], now
        )
        banner = OnsiteMessage(
            asked.message_id, "c1", Kind.MARKETING, "Скидка", "Код ANNA10", None, None, now
        )
        do_add_onsite_message(connection, banner)
    read = headers_for("read,ingest")
    inbox = client.get("/v1/customers/c1/inbox", headers=read).json()
    assert [(item["message_id"], item["seen"]) for item in inbox] == [(asked.message_id, False)]
    assert (
        client.post(f"/v1/customers/c1/inbox/{asked.message_id}/seen", headers=read).json()["result"]
        == "marked"
    )
    assert (
        client.post(f"/v1/customers/c1/inbox/{asked.message_id}/seen", headers=read).json()["result"]
        == "already"
    )
    assert client.post(f"/v1/customers/c2/inbox/{asked.message_id}/seen", headers=read).status_code == 404
    assert client.get("/v1/customers/c1/inbox?unread=true", headers=read).json() == []
    drain(engine, [MessagesConsumer()], FixedClock(now))
    with engine.connect() as connection:
        assert load_messages(connection, [asked.message_id])[asked.message_id].state.value == "seen"
    assert (
        client.post(f"/v1/customers/c1/inbox/{asked.message_id}/dismissed", headers=read).json()["result"]
        == "marked"
    )
    assert client.get("/v1/customers/c1/inbox", headers=read).json() == []


def test_templates_show_the_customers_points_in_the_main_programme(
    client: TestClient, headers_for: Callable[[str], dict[str, str]], engine: Engine, now: datetime
) -> None:
    admin = headers_for("admin")
    assert client.put("/v1/customers/c1", json={"first_name": "Анна"}, headers=admin).status_code == 200
    with engine.begin() as connection:  # the default settings file's programme: a point pays 1 ₽
        do_accrue(connection, "club", "c1", 420, "order:1", now, expires_at=now + timedelta(days=30))
        do_accrue(connection, "club", "c1", 35, "order:2", now, active_at=now + timedelta(days=14))
    points = {
        "default_locale": "ru",
        "channels": {
            "sms": {
                "ru": {
                    "text": "{{ loyalty.points }} баллов = {{ money(loyalty.points_value, whole=true) }}, "
                    "ещё {{ loyalty.pending }} в пути; {{ loyalty.expiring_points }} сгорят "
                    "{{ date(loyalty.expiring_at, 'd MMMM') }}"
                }
            }
        },
    }
    assert client.put("/v1/templates/points", json=points, headers=admin).status_code == 200
    shown = client.post(
        "/v1/templates/points/preview", json={"customer_id": "c1", "channel": "sms"}, headers=admin
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["text"] == "420 баллов = 420\u00a0₽, ещё 35 в пути; 420 сгорят 1 июля"
    # What a message carries itself wins (a journey that names the points it just gave).
    carried = client.post(
        "/v1/templates/points/preview",
        json={"customer_id": "c1", "channel": "sms", "variables": {"loyalty": {"points": 5}}},
        headers=admin,
    )
    assert carried.status_code == 422 and "money() needs a number, not None" in carried.json()["detail"]


def test_templates_show_the_members_tier(
    client: TestClient, headers_for: Callable[[str], dict[str, str]], engine: Engine, now: datetime
) -> None:
    admin = headers_for("admin")
    assert client.put("/v1/customers/c1", json={"first_name": "Анна"}, headers=admin).status_code == 200
    big_order = {
        "event_id": "o-1",
        "type": "order_placed",
        "customer_id": "c1",
        "timestamp": (now - timedelta(hours=1)).isoformat(),
        "properties": {
            "order_id": "o-1",
            "items": [{"sku": "TV", "quantity": 1, "price": "45000.00"}],
            "total": "45000.00",
            "currency": "RUB",
        },
    }
    assert client.post("/v1/events", json={"events": [big_order]}, headers=admin).status_code == 200
    drain(engine, [LoyaltyConsumer(load_loyalty_config(None))], FixedClock(now))
    tiered = {"default_locale": "ru", "channels": {"sms": {"ru": {"text": "Уровень: {{ loyalty.tier }}"}}}}
    assert client.put("/v1/templates/tier", json=tiered, headers=admin).status_code == 200
    shown = client.post(
        "/v1/templates/tier/preview", json={"customer_id": "c1", "channel": "sms"}, headers=admin
    )
    assert shown.status_code == 200, shown.text
    assert (
        shown.json()["text"] == "Уровень: Silver"
    )  # 45,000 ₽ in a year: past silver's 15,000, short of gold's 50,000
