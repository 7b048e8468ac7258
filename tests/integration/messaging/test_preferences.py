"""Kind preferences end to end: stopped on the preference centre, read back with the facts the
decisions use, and obeyed by the send step over real SMTP (a marketing email stopped, a trigger
email still sent); every message carries the link to the preference page."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.fakes.smtp import FakeSmtpServer

from retentio.clock import FixedClock
from retentio.customers.merge import merge_records
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.messaging.channels.email import EmailChannel, EmailSettings
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import Channels, Message, SendingRules, SendNow, Skipped, Step, decide
from retentio.messaging.decide.decision import Reason
from retentio.messaging.links import links_for
from retentio.messaging.preferences import Wish, current_preferences, do_set_preferences
from retentio.messaging.requests import SEND, MessageRequest, request_messages
from retentio.messaging.send.facts import load_facts
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.send.step import Sender
from retentio.messaging.store import load_messages
from retentio.messaging.template_store import save_template
from retentio.schedule.kinds import Delivery, Registry
from retentio.schedule.kinds import Kind as WorkKind
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue

NEWS = {
    "name": "news",
    "default_locale": "ru",
    "channels": {
        "email": {"ru": {"subject": "Новости", "text": "Настройки: {{ preferences_url }}"}},
        "sms": {"ru": {"text": "Новости"}},
    },
}


@pytest.fixture
def smtp() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer() as server:
        yield server


def _anna(engine: Engine, now: datetime) -> None:
    consents = [
        {"channel": "email", "granted": True, "source": "checkout"},
        {"channel": "sms", "granted": True, "source": "checkout"},
    ]
    data = CustomerUpsert.model_validate(
        {"email": "anna@example.ru", "phone": "+79990000000", "locale": "ru", "consents": consents}
    )
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", data, now, timedelta(days=1))
        do_set_preferences(connection, "c1", [Wish(ChannelName.EMAIL, Kind.MARKETING, False)], "test", now)


def test_the_facts_carry_the_stopped_kind_and_the_cascade_goes_by_sms(engine: Engine, now: datetime) -> None:
    _anna(engine, now)
    later = now + timedelta(minutes=1)
    with engine.connect() as connection:
        facts = load_facts(connection, ["c1"], later)["c1"]
    assert facts.customer.opted_out == frozenset({(ChannelName.EMAIL, Kind.MARKETING)})
    promo = Message("m1", Kind.MARKETING, Channels((Step(ChannelName.EMAIL), Step(ChannelName.SMS))), later)
    rules = SendingRules(quiet_hours=None, best_hour=False)
    decision = decide(promo, facts.customer, rules, [], later)
    assert isinstance(decision, SendNow)
    assert (decision.channel, decision.skipped) == (
        ChannelName.SMS,
        (Skipped(ChannelName.EMAIL, Reason.OPTED_OUT),),
    )
    assert decision.consent_record_id == facts.consents["sms"].change_id


def test_the_send_step_stops_the_marketing_email_and_sends_the_trigger_with_the_page_link(
    engine: Engine, now: datetime, smtp: FakeSmtpServer
) -> None:
    # given Anna stopped promotions by email
    _anna(engine, now)
    clock = FixedClock(now + timedelta(minutes=1))
    with engine.begin() as connection:
        save_template(connection, NEWS, clock.now())
        promo, reminder = (
            r.message_id
            for r in request_messages(
                connection,
                [
                    MessageRequest("c1", "news", Kind.MARKETING, "promo", channels=("email",)),
                    MessageRequest("c1", "news", Kind.TRIGGER, "cart", channels=("email",)),
                ],
                clock.now(),
            )
        )
        links = links_for(connection, "https://crm.example.ru", None, clock.now())
    settings = EmailSettings(host=smtp.host, port=smtp.port, security="none", from_address="shop@example.ru")
    channels = ChannelLoop({ChannelName.EMAIL: EmailChannel(settings)})
    sender = Sender(engine, channels, SendingRules(quiet_hours=None, best_hour=False), links, clock, "RUB")
    # when the send step runs
    try:
        kind = WorkKind(SEND, sender.run_one, Delivery.AT_LEAST_ONCE, batch_handler=sender.run)
        Runner(SqlQueue(engine), Registry([kind]), clock).run_all_due()
    finally:
        sender.channels.close()
    # then the promotion is not sent, saying why, and the reminder went with the page's link
    with engine.connect() as connection:
        stored = load_messages(connection, [promo, reminder])
    assert (stored[promo].state.value, stored[promo].reason, stored[promo].detail) == (
        "not_sent",
        "opted_out",
        "email: opted out of marketing on email",
    )
    assert stored[reminder].state.value == "sent" and stored[reminder].consent_change_id is not None
    [received] = smtp.received
    mail: Any = email.message_from_bytes(received.content, policy=email.policy.default)
    assert links.preferences("c1") in mail.get_body(("plain",)).get_content()


def test_a_merge_moves_the_preferences_and_the_old_link_reaches_the_survivor(
    engine: Engine, now: datetime
) -> None:
    # given Anna's second record, where she stopped promotions by email
    _anna(engine, now)
    consent = {"channel": "email", "granted": True, "source": "checkout"}
    data = CustomerUpsert.model_validate({"email": "anna.old@example.ru", "consents": [consent]})
    with engine.begin() as connection:
        do_upsert_customer(connection, "c0", data, now, timedelta(days=1))
        do_set_preferences(connection, "c0", [Wish(ChannelName.EMAIL, Kind.TRIGGER, False)], "test", now)
        # when the old record is merged into Anna's
        merge_records(connection, "c1", "c0", now)
    # then her choices include what the old record stopped, also through the old record's id
    with engine.connect() as connection:
        survivor, _, rows = current_preferences(connection, "c0", now)
    assert survivor == "c1"
    assert dict(rows[0].receives) == {Kind.MARKETING: False, Kind.TRIGGER: False}


@pytest.mark.parametrize("name", ["web", "web_push"])
def test_a_web_consent_given_through_the_customers_api_lets_web_push_go(
    engine: Engine, now: datetime, name: str
) -> None:
    data = CustomerUpsert.model_validate({"consents": [{"channel": name, "granted": True, "source": "site"}]})
    with engine.begin() as connection:
        do_upsert_customer(connection, "c9", data, now, timedelta(days=1))
    with engine.connect() as connection:
        facts = load_facts(connection, ["c9"], now + timedelta(minutes=1))["c9"]
    assert facts.customer.consents[ChannelName.WEB_PUSH].record_id is not None
