"""The SMS.ru adapter against the fake SMS.ru over a real socket."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import SecretStr
from tests.fakes.callbacks import CallbackCatcher
from tests.fakes.http import Response
from tests.fakes.smsru import FakeSmsRu
from tests.integration.messaging.sms_adapters import send, with_adapter

from retentio.messaging.channels.port import (
    Callback,
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    Polled,
    ReportStatus,
    SendResult,
    SendStatus,
)
from retentio.messaging.channels.smsru import CALLBACK_ANSWER, SmsRu, SmsRuSettings
from retentio.messaging.content import ChannelName, EmailBody, Kind, TextBody

TEXT = "Привет, Анна! Ваш заказ №42 собран — заберите до пятницы."


def settings_for(fake: FakeSmsRu, **changes: object) -> SmsRuSettings:
    values: dict[str, object] = {"base_url": fake.url, "api_id": SecretStr(fake.api_id), "sender": "Retentio"}
    return SmsRuSettings.model_validate({**values, **changes})


def sms(recipient: str = "+7 (916) 123-45-67", text: str = TEXT) -> Outgoing:
    return Outgoing("msg-1", ChannelName.SMS, recipient, TextBody(text), Kind.TRANSACTIONAL)


def test_a_message_goes_out_with_its_cyrillic_text_intact(smsru: FakeSmsRu) -> None:
    # when
    result = send(settings_for(smsru), sms())
    # then
    assert result == SendResult.sent(smsru.sent[0].sms_id)
    assert [(s.to, s.text, s.sender, s.test) for s in smsru.sent] == [
        ("79161234567", TEXT, "Retentio", False)
    ]
    request = smsru.requests[0]
    assert (request.method, request.path) == ("POST", "/sms/send")
    assert request.form()["json"] == "1"
    assert smsru.balance == Decimal("96.50")


def test_the_per_message_sender_and_the_test_mode_reach_smsru(smsru: FakeSmsRu) -> None:
    smsru.senders = ("Retentio", "Shop")
    outgoing = Outgoing("m", ChannelName.SMS, "89161234567", TextBody("hi"), Kind.MARKETING, sender="Shop")
    result = send(settings_for(smsru, test=True), outgoing)
    assert result.status is SendStatus.SENT
    assert [(s.sender, s.test) for s in smsru.sent] == [("Shop", True)]


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        (207, SendStatus.UNREACHABLE, "SMS.ru 207: На этот номер нет маршрута"),
        (209, SendStatus.UNREACHABLE, "stop list"),
        (215, SendStatus.UNREACHABLE, "complained of spam"),
        (231, SendStatus.FAILED, "an earlier attempt likely went out"),
        (220, SendStatus.RETRY, "SMS.ru 220"),
        (999, SendStatus.RETRY, "SMS.ru 999: a code Retentio does not know"),
    ],
)
def test_a_number_smsru_refuses_is_classified_by_its_code(
    smsru: FakeSmsRu, code: int, status: SendStatus, words: str
) -> None:
    # given
    smsru.refuse("79161234567", code)
    # when
    result = send(settings_for(smsru), sms())
    # then
    assert result.status is status
    assert words in result.reason
    assert smsru.sent == []


def test_an_empty_account_is_a_retry_not_a_dead_number(smsru: FakeSmsRu) -> None:
    smsru.balance = smsru.price / 2
    result = send(settings_for(smsru), sms())
    assert result.status is SendStatus.RETRY
    assert result.reason.startswith("SMS.ru 201: Не хватает средств")


@pytest.mark.parametrize("recipient", ["+7 916 CALL ME", "123", "8 916 123 45 6"])
def test_a_malformed_number_is_unreachable_and_nothing_is_asked(smsru: FakeSmsRu, recipient: str) -> None:
    result = send(settings_for(smsru), sms(recipient))
    assert result.status is SendStatus.UNREACHABLE
    assert repr(recipient) in result.reason
    assert smsru.requests == []


def test_a_message_without_text_fails_before_asking(smsru: FakeSmsRu) -> None:
    email = Outgoing("m", ChannelName.SMS, "79161234567", EmailBody("s", "t"), Kind.MARKETING)
    assert send(settings_for(smsru), email) == SendResult.failed(
        "an SMS needs a text body, this message has EmailBody"
    )
    assert send(settings_for(smsru), sms(text="  ")) == SendResult.failed("the SMS text is empty")
    assert smsru.requests == []


def test_check_passes_with_good_settings(smsru: FakeSmsRu) -> None:
    with_adapter(settings_for(smsru), lambda adapter: adapter.check())
    assert [request.path for request in smsru.requests] == ["/my/balance", "/my/senders"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"api_id": SecretStr("wrong")}, "channels.smsru.api_id"),
        ({"sender": "Unknown"}, "channels.smsru.sender 'Unknown' (approved: Retentio)"),
    ],
)
def test_check_names_the_setting_that_is_wrong(
    smsru: FakeSmsRu, changes: dict[str, object], words: str
) -> None:
    with pytest.raises(ChannelNotReady, match=re.escape(words)):
        with_adapter(settings_for(smsru, **changes), lambda adapter: adapter.check())


def test_check_says_when_smsru_cannot_be_reached(smsru: FakeSmsRu) -> None:
    with smsru.down(), pytest.raises(ChannelNotReady, match=re.escape("SMS.ru could not be reached")):
        with_adapter(settings_for(smsru), lambda adapter: adapter.check())


def test_a_wrong_api_id_at_send_time_is_a_retry_naming_the_setting(smsru: FakeSmsRu) -> None:
    result = send(settings_for(smsru, api_id=SecretStr("wrong")), sms())
    assert result.status is SendStatus.RETRY
    assert "channels.smsru.api_id" in result.reason


def test_server_errors_throttling_and_a_dead_server_are_retries(smsru: FakeSmsRu) -> None:
    # given
    smsru.force(Response.text(502, "Bad Gateway"), Response.json(429, {}, {"Retry-After": "3"}))

    async def two_sends(adapter: SmsRu) -> tuple[SendResult, SendResult, float]:
        gateway, throttled = await adapter.send(sms()), await adapter.send(sms())
        return gateway, throttled, adapter._http.rate.wait_needed()

    # when
    gateway, throttled, wait = with_adapter(settings_for(smsru), two_sends)
    with smsru.down():  # a fresh pool: the fake's down() refuses new connections only
        refused = send(settings_for(smsru), sms())
    # then
    assert gateway == SendResult.retry("SMS.ru failed on its side (HTTP 502): 'Bad Gateway'")
    assert throttled == SendResult.retry("SMS.ru asks to slow down (HTTP 429)", retry_after=3.0)
    assert wait > 0  # the 429 paused the adapter's rate limit: the next send waits
    assert refused.status is SendStatus.RETRY and "could not be reached" in refused.reason
    assert smsru.sent == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>maintenance</html>", "cannot read (HTTP 200, the answer: Invalid JSON"),
        (b'{"status": "OK"}', "status_code: Field required"),
        (b'{"status": "OK", "status_code": 100, "sms": {}}', "answered OK without a word about 79161234567"),
    ],
)
def test_a_garbage_answer_is_a_retry_with_the_reason(smsru: FakeSmsRu, body: bytes, words: str) -> None:
    smsru.force(Response(200, body, {"Content-Type": "text/html"}))
    result = send(settings_for(smsru), sms())
    assert result.status is SendStatus.RETRY
    assert words in result.reason


def test_polling_reports_what_has_happened_and_stays_quiet_about_the_rest(smsru: FakeSmsRu) -> None:
    # given
    async def send_three_and_poll(adapter: SmsRu) -> Polled:
        ids = [(await adapter.send(sms(f"7916123456{n}"))).provider_id for n in range(3)]
        smsru.set_status(str(ids[0]), 103)
        smsru.set_status(str(ids[1]), 104)
        return await adapter.poll([str(i) for i in ids] + ["000000-0"])

    # when
    polled = with_adapter(settings_for(smsru), send_three_and_poll)
    # then: the third is in transit, the unknown id not found yet: no news about either
    first, second = smsru.sent[0].sms_id, smsru.sent[1].sms_id
    assert polled.unknown == {}
    assert polled.reports == [
        DeliveryReport(first, ReportStatus.DELIVERED),
        DeliveryReport(
            second, ReportStatus.FAILED, reason="SMS.ru 104: Не может быть доставлено: время жизни истекло"
        ),
    ]


def test_polling_a_dead_server_or_garbage_leaves_the_status_unknown_with_the_reason(smsru: FakeSmsRu) -> None:
    # given
    ids = ["000001-1000001", "000002-1000002"]
    # when
    with smsru.down():
        refused = with_adapter(settings_for(smsru), lambda adapter: adapter.poll(ids))
    smsru.force(Response(200, b"<html>maintenance</html>"))
    garbage = with_adapter(settings_for(smsru), lambda adapter: adapter.poll(ids))
    # then
    assert refused.reports == [] and list(refused.unknown) == ids
    assert refused.unknown[ids[0]].startswith("SMS.ru could not be reached")
    assert garbage.reports == [] and list(garbage.unknown) == ids
    assert "SMS.ru gave an answer Retentio cannot read (HTTP 200" in garbage.unknown[ids[1]]


def test_one_status_request_asks_about_a_hundred_messages(smsru: FakeSmsRu) -> None:
    ids = [f"000000-{n}" for n in range(150)]
    polled = with_adapter(settings_for(smsru), lambda adapter: adapter.poll(ids))
    assert polled == Polled()
    asked = [request.form()["sms_id"].split(",") for request in smsru.requests]
    assert [len(part) for part in asked] == [100, 50]


def test_a_callback_smsru_posts_becomes_reports() -> None:
    # given
    with FakeSmsRu() as smsru, CallbackCatcher(CALLBACK_ANSWER) as handler:
        answer = smsru.post_callback(
            f"{handler.url}/callbacks/smsru", ("000001-1000001", 103), ("000002-1000002", 108)
        )
        assert answer.text == "100"
        callback = handler.callback()
    # when
    reports = SmsRu(settings_for(smsru)).read_callback(callback)
    # then
    at = datetime.fromtimestamp(1_780_000_000, UTC)
    assert reports == [
        DeliveryReport("000001-1000001", ReportStatus.DELIVERED, at=at),
        DeliveryReport("000002-1000002", ReportStatus.FAILED, at=at, reason="SMS.ru 108: not delivered"),
    ]


def form(body: bytes, token: str | None = None) -> Callback:
    query = {} if token is None else {"token": token}
    return Callback(body, "application/x-www-form-urlencoded", query, {})


def test_a_callback_without_the_configured_token_is_refused() -> None:
    adapter = SmsRu(SmsRuSettings(api_id=SecretStr("x"), callback_token=SecretStr("s3cret")))
    entry = b"data%5B0%5D=sms_status%0A000001-1000001%0A103"
    assert adapter.read_callback(form(entry, "s3cret")) == [
        DeliveryReport("000001-1000001", ReportStatus.DELIVERED)
    ]
    for token in (None, "guess", "ßecret"):
        with pytest.raises(ValueError, match="token is missing or wrong"):
            adapter.read_callback(form(entry, token))


@pytest.mark.parametrize(
    ("callback", "words"),
    [
        (Callback(b'{"id": 1}', "application/json", {}, {}), "is a form, this one is 'application/json'"),
        (form(b"\xff\xfe"), "url-encoded form"),
        (form(b"status=103"), "carries data[] entries, this one has none"),
        (form(b"data%5B0%5D=sms_status%0A%0A103"), "the id and the code on lines of their own"),
        (form(b"data%5B0%5D=sms_status%0A000001-1%0Adelivered"), "the id and the code on lines of their own"),
        (form(b"data%5B0%5D=sms_status%0A000001-1%0A103%0A99999999999999999999"), "impossible time"),
    ],
)
def test_a_forged_or_garbage_callback_is_refused_with_what_is_wrong(callback: Callback, words: str) -> None:
    adapter = SmsRu(SmsRuSettings(api_id=SecretStr("x")))
    with pytest.raises(ValueError, match=re.escape(words)):
        adapter.read_callback(callback)


def test_callback_entries_about_other_things_and_pending_states_are_no_news() -> None:
    adapter = SmsRu(SmsRuSettings(api_id=SecretStr("x")))
    body = b"data%5B0%5D=callcheck_status%0A201937-542%0A401&data%5B1%5D=sms_status%0A000001-1%0A102"
    assert adapter.read_callback(form(body)) == []


def test_a_sender_name_that_cannot_be_encoded_fails_the_message_instead_of_raising(smsru: FakeSmsRu) -> None:
    outgoing = Outgoing(
        "m", ChannelName.SMS, "79161234567", TextBody("hi"), Kind.MARKETING, sender="Shop\ud800"
    )
    result = send(settings_for(smsru), outgoing)
    assert result.status is SendStatus.FAILED
    assert result.reason.startswith("the request to SMS.ru cannot be encoded")
