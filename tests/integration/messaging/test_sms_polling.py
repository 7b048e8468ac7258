"""Delivery reports asked for: a message sent through the worker's send step on a fake SMSC (or
SMS.ru) over a real socket is asked about by the worker's ``messages.poll_reports`` work, and what
the provider says reaches the message through the log, as a callback's report does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from tests.fakes.http import Response
from tests.fakes.smsc import FakeSmsc
from tests.fakes.smsru import FakeSmsRu

from retentio.cli.messaging_wiring import Messaging
from retentio.clock import FixedClock
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.ingest import IngestOptions, ingest_delivery_reports
from retentio.messaging.channels.port import Channel
from retentio.messaging.channels.smsc import Smsc, SmscSettings
from retentio.messaging.channels.smsru import SmsRu, SmsRuSettings
from retentio.messaging.consumer import MessagesConsumer
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import SendingRules
from retentio.messaging.links import links_for
from retentio.messaging.reports_polling import POLL_REPORTS, ReportPoller
from retentio.messaging.requests import MessageRequest, request_messages
from retentio.messaging.send.loop import ChannelLoop
from retentio.messaging.send.step import Sender
from retentio.messaging.store import StoredMessage, load_messages
from retentio.messaging.template_store import save_template
from retentio.schedule.kinds import Registry
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue
from retentio.schedule.tables import due_work

READY = {
    "name": "ready",
    "default_locale": "ru",
    "channels": {"sms": {"ru": {"text": "{{ customer.first_name }}, ваш заказ собран"}}},
}
PHONE = "79161234567"


@dataclass
class Worker:
    """The worker's messaging as ``retentio worker`` registers it, on a clock the test moves."""

    engine: Engine
    clock: FixedClock
    messaging: Messaging
    lines: list[str] = field(default_factory=list)

    def run(self, after: timedelta = timedelta(0)) -> list[str]:
        self.clock.advance(after)
        start = len(self.lines)
        runner = Runner(
            SqlQueue(self.engine),
            Registry(self.messaging.kinds()),
            self.clock,
            report=lambda outcome: self.lines.append(f"{outcome.work.kind}: {outcome.summary}"),
        )
        runner.run_all_due()
        drain(self.engine, [MessagesConsumer()], self.clock)
        return self.lines[start:]

    def request(self, key: str, valid_for: timedelta | None = None) -> str:
        now = self.clock.now()
        request = MessageRequest(
            "c1",
            "ready",
            Kind.TRANSACTIONAL,
            key,
            channels=("sms",),
            valid_until=None if valid_for is None else now + valid_for,
        )
        with self.engine.begin() as connection:
            [requested] = request_messages(connection, [request], now)
        return requested.message_id

    def message(self, message_id: str) -> StoredMessage:
        with self.engine.connect() as connection:
            return load_messages(connection, [message_id])[message_id]

    def polls_waiting(self) -> int:
        query = select(func.count()).where(due_work.c.kind == POLL_REPORTS, due_work.c.state == "waiting")
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def events_of(self, message_id: str, type_: str) -> int:
        query = select(func.count()).where(
            events.c.type == type_, events.c.event_id.startswith(f"{message_id}:")
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


def start_worker(engine: Engine, now: datetime, adapter: Channel) -> Worker:
    clock = FixedClock(now)
    with engine.begin() as connection:
        customer = CustomerUpsert.model_validate(
            {
                "first_name": "Анна",
                "locale": "ru",
                "phone": f"+{PHONE}",
                "consents": [{"channel": "sms", "granted": True, "source": "checkout"}],
            }
        )
        do_upsert_customer(connection, "c1", customer, now, timedelta(days=1))
        save_template(connection, READY, now)
        links = links_for(connection, "https://crm.example.ru", None, now)
    channels = ChannelLoop({ChannelName.SMS: adapter})
    rules = SendingRules(quiet_hours=None, best_hour=False)
    sender = Sender(engine, channels, rules, links, clock, "RUB")
    record = partial(ingest_delivery_reports, engine, options=IngestOptions())
    poller = ReportPoller(engine, channels, record, clock)
    return Worker(engine, clock, Messaging(channels, sender, poller))


@pytest.fixture
def on_smsc(engine: Engine, now: datetime, smsc: FakeSmsc) -> Iterator[Worker]:
    settings = SmscSettings(base_url=smsc.url, login=smsc.login, password=SecretStr(smsc.password))
    worker = start_worker(engine, now, Smsc(settings))
    yield worker
    worker.messaging.close()


@pytest.fixture
def on_smsru(engine: Engine, now: datetime, smsru: FakeSmsRu) -> Iterator[Worker]:
    worker = start_worker(
        engine, now, SmsRu(SmsRuSettings(base_url=smsru.url, api_id=SecretStr(smsru.api_id)))
    )
    yield worker
    worker.messaging.close()


def test_a_message_smsc_later_delivers_becomes_delivered_by_polling(on_smsc: Worker, smsc: FakeSmsc) -> None:
    # given: sent, and still waiting at SMSC a minute later
    message_id = on_smsc.request("order-42")
    on_smsc.run()
    [sent] = smsc.sent
    first = on_smsc.run(after=timedelta(minutes=1))
    # when: SMSC delivers it before the second ask, 5 minutes after the send
    smsc.set_status(sent.smsc_id, sent.phone, 1)
    second = on_smsc.run(after=timedelta(minutes=4))
    # then
    provider_id = f"{sent.smsc_id}:{PHONE}"
    asked_again = (on_smsc.clock.now()).isoformat()
    assert first == [f"{POLL_REPORTS}: {message_id}: no news; asks again at {asked_again}"]
    assert second == [f"{POLL_REPORTS}: {message_id}: delivered ({provider_id}, ask 2)"]
    message = on_smsc.message(message_id)
    assert message.state.value == "delivered"
    assert "delivered_at" in message.steps[-1]
    assert on_smsc.polls_waiting() == 0
    status_asks = [request.form() for request in smsc.requests if request.path == "/sys/status.php"]
    assert [(form["id"], form["phone"]) for form in status_asks] == [(str(sent.smsc_id), f"+{PHONE}")] * 2


def test_a_failure_status_makes_the_message_undelivered_with_smscs_reason(
    on_smsc: Worker, smsc: FakeSmsc
) -> None:
    # given
    message_id = on_smsc.request("order-43")
    on_smsc.run()
    [sent] = smsc.sent
    smsc.set_status(sent.smsc_id, sent.phone, 20)
    # when
    on_smsc.run(after=timedelta(minutes=1))
    # then
    step = on_smsc.message(message_id).steps[0]
    assert (step["channel"], step["reason"]) == ("sms", "SMSC status 20: cannot be delivered")
    assert "failed_at" in step
    assert on_smsc.events_of(message_id, "message_undelivered") == 1
    assert on_smsc.polls_waiting() == 0


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (Response.text(503, "Service Unavailable"), "SMSC failed on its side (HTTP 503)"),
        (Response(200, b"<html>maintenance</html>"), "SMSC gave an answer Retentio cannot read (HTTP 200"),
    ],
)
def test_a_provider_error_or_garbage_on_the_status_call_is_asked_again_and_nothing_is_lost(
    on_smsc: Worker, smsc: FakeSmsc, answer: Response, words: str
) -> None:
    # given
    message_id = on_smsc.request("order-44")
    on_smsc.run()
    [sent] = smsc.sent
    smsc.set_status(sent.smsc_id, sent.phone, 1)
    smsc.force(answer)
    # when
    failed = on_smsc.run(after=timedelta(minutes=1))
    assert on_smsc.message(message_id).state.value == "sent"
    again = on_smsc.run(after=timedelta(minutes=4))
    # then: the worker said why, went on, and asked again at the next step
    [line] = failed
    assert line.startswith(f"{POLL_REPORTS}: {message_id}: status unknown: SMSC did not give the status: ")
    assert words in line and line.endswith(f"asks again at {on_smsc.clock.now().isoformat()}")
    assert again == [f"{POLL_REPORTS}: {message_id}: delivered ({sent.smsc_id}:{PHONE}, ask 2)"]
    assert on_smsc.message(message_id).state.value == "delivered"


def test_a_message_without_a_report_is_not_asked_about_after_its_validity(
    on_smsc: Worker, smsc: FakeSmsc
) -> None:
    # given: valid for 10 minutes, so asked about through the first hour only
    message_id = on_smsc.request("order-45", valid_for=timedelta(minutes=10))
    on_smsc.run()
    lines = []
    # when
    for minutes in (1, 4, 10, 45, 60):
        lines += [line for line in on_smsc.run(after=timedelta(minutes=minutes)) if POLL_REPORTS in line]
    # then
    assert len(lines) == 4
    assert lines[-1].startswith(f"{POLL_REPORTS}: {message_id}: no news; no report by ")
    assert lines[-1].endswith("not asked again")
    assert on_smsc.polls_waiting() == 0
    assert len([request for request in smsc.requests if request.path == "/sys/status.php"]) == 4


def test_the_rows_due_together_are_asked_about_in_one_smsru_request(
    on_smsru: Worker, smsru: FakeSmsRu
) -> None:
    # given: three messages sent together, two delivered, one expired
    ids = [on_smsru.request(f"order-{n}") for n in range(3)]
    on_smsru.run()
    sms_ids = [sent.sms_id for sent in smsru.sent]
    for sms_id, code in zip(sms_ids, (103, 103, 104), strict=True):
        smsru.set_status(sms_id, code)
    # when
    on_smsru.run(after=timedelta(minutes=1))
    # then
    status_asks = [request.form() for request in smsru.requests if request.path == "/sms/status"]
    assert [sorted(form["sms_id"].split(",")) for form in status_asks] == [sorted(sms_ids)]
    states = {message_id: on_smsru.message(message_id) for message_id in ids}
    by_sms_id = {message.provider_id: message for message in states.values()}
    assert [by_sms_id[sms_id].state.value for sms_id in sms_ids[:2]] == ["delivered", "delivered"]
    assert (
        by_sms_id[sms_ids[2]].steps[0]["reason"]
        == "SMS.ru 104: Не может быть доставлено: время жизни истекло"
    )
    assert on_smsru.polls_waiting() == 0


def test_settings_can_turn_polling_off(engine: Engine, now: datetime, smsc: FakeSmsc) -> None:
    settings = SmscSettings(
        base_url=smsc.url, login=smsc.login, password=SecretStr(smsc.password), poll_reports=False
    )
    worker = start_worker(engine, now, Smsc(settings))
    try:
        worker.request("order-46")
        worker.run()
        assert (len(smsc.sent), worker.polls_waiting()) == (1, 0)
    finally:
        worker.messaging.close()


def test_asks_left_in_the_queue_when_polling_is_turned_off_are_dropped_unasked(
    engine: Engine, now: datetime, on_smsc: Worker, smsc: FakeSmsc
) -> None:
    # given: sent while polling was on
    message_id = on_smsc.request("order-47")
    on_smsc.run()
    settings = SmscSettings(
        base_url=smsc.url, login=smsc.login, password=SecretStr(smsc.password), poll_reports=False
    )
    # when: the worker restarts with poll_reports = false
    restarted = start_worker(engine, now, Smsc(settings))
    try:
        lines = restarted.run(after=timedelta(minutes=1))
    finally:
        restarted.messaging.close()
    # then
    assert lines == [f"{POLL_REPORTS}: {message_id}: sms reports are not polled here, not asked"]
    assert [request.path for request in smsc.requests] == ["/sys/send.php"]
    assert restarted.polls_waiting() == 0
