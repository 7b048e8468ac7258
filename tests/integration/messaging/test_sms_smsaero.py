"""The SMS Aero adapter against the fake SMS Aero over a real socket."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from tests.fakes.callbacks import CallbackCatcher
from tests.fakes.http import Response
from tests.fakes.smsaero import CREATED, FakeSmsAero
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
from retentio.messaging.channels.smsaero import SmsAero, SmsAeroSettings
from retentio.messaging.content import ChannelName, Kind, PushBody, TextBody

TEXT = "Анна, ваш заказ №42 собран — заберите до пятницы."
ANSWERED = datetime.fromtimestamp(CREATED + 5, UTC)


def settings_for(fake: FakeSmsAero, **changes: object) -> SmsAeroSettings:
    values = {"base_url": f"{fake.url}/v2", "email": fake.email, "api_key": SecretStr(fake.api_key)}
    return SmsAeroSettings.model_validate({**values, **changes})


def sms(recipient: str = "+7 916 123-45-67", sender: str | None = None) -> Outgoing:
    return Outgoing("msg-1", ChannelName.SMS, recipient, TextBody(TEXT), Kind.MARKETING, sender=sender)


def test_a_message_goes_out_with_its_cyrillic_text_and_signature(smsaero: FakeSmsAero) -> None:
    # when
    result = send(settings_for(smsaero), sms())
    # then
    assert result == SendResult.sent("1001")
    message = smsaero.messages[1001]
    assert (message["number"], message["text"], message["from"]) == ("79161234567", TEXT, "SMS Aero")
    request = smsaero.requests[0]
    assert (request.method, request.path) == ("POST", "/v2/sms/send")
    assert request.json() == {"number": 79161234567, "text": TEXT, "sign": "SMS Aero"}


def test_the_per_message_signature_and_the_callback_url_with_its_token_reach_smsaero(
    smsaero: FakeSmsAero,
) -> None:
    settings = settings_for(
        smsaero, callback_url="https://shop.example/v1/callbacks/smsaero", callback_token=SecretStr("s3cret")
    )
    assert send(settings, sms(sender="Retentio")).status is SendStatus.SENT
    assert smsaero.messages[1001]["from"] == "Retentio"
    assert smsaero.callback_urls[1001] == "https://shop.example/v1/callbacks/smsaero?token=s3cret"


@pytest.mark.parametrize(
    ("script", "status", "words"),
    [
        (lambda fake: fake.refuse_number("79161234567"), SendStatus.UNREACHABLE, "refused the number"),
        (
            lambda fake: fake.signs.clear(),
            SendStatus.FAILED,
            "refused the signature (channels.smsaero.sender)",
        ),
        (lambda fake: setattr(fake, "balance", 0), SendStatus.RETRY, "no money on the account"),
    ],
)
def test_smsaeros_refusals_are_classified(
    smsaero: FakeSmsAero, script: Callable[[FakeSmsAero], object], status: SendStatus, words: str
) -> None:
    # given
    script(smsaero)
    # when
    result = send(settings_for(smsaero), sms())
    # then
    assert result.status is status
    assert words in result.reason
    assert smsaero.messages == {}


def test_a_text_smsaero_refuses_fails_the_message(smsaero: FakeSmsAero) -> None:
    outgoing = Outgoing("m", ChannelName.SMS, "79161234567", TextBody("!"), Kind.MARKETING)
    result = send(settings_for(smsaero), outgoing)
    assert result.status is SendStatus.FAILED
    assert "SMS Aero refused the message: Validation error." in result.reason


def test_a_malformed_number_or_a_push_body_is_settled_before_asking(smsaero: FakeSmsAero) -> None:
    assert send(settings_for(smsaero), sms("+7 916 12")).status is SendStatus.UNREACHABLE
    push = Outgoing("m", ChannelName.SMS, "79161234567", PushBody("t", "b"), Kind.MARKETING)
    assert send(settings_for(smsaero), push).status is SendStatus.FAILED
    assert smsaero.requests == []


def test_check_passes_with_good_credentials_and_names_the_bad_ones(smsaero: FakeSmsAero) -> None:
    with_adapter(settings_for(smsaero), lambda adapter: adapter.check())
    words = "SMS Aero refused channels.smsaero.email and channels.smsaero.api_key: Your request was made"
    with pytest.raises(ChannelNotReady, match=re.escape(words)):
        with_adapter(settings_for(smsaero, api_key=SecretStr("wrong")), lambda adapter: adapter.check())
    with smsaero.down(), pytest.raises(ChannelNotReady, match="could not be reached"):
        with_adapter(settings_for(smsaero), lambda adapter: adapter.check())


def test_wrong_credentials_at_send_time_are_a_retry_naming_the_settings(smsaero: FakeSmsAero) -> None:
    result = send(settings_for(smsaero, email="someone@else.ru"), sms())
    assert result.status is SendStatus.RETRY
    assert "channels.smsaero.email and channels.smsaero.api_key" in result.reason


def test_server_errors_throttling_and_a_dead_server_are_retries(smsaero: FakeSmsAero) -> None:
    smsaero.force(Response.text(500, "Internal Server Error"), Response.json(429, {}, {"Retry-After": "2"}))
    assert send(settings_for(smsaero), sms()) == SendResult.retry(
        "SMS Aero failed on its side (HTTP 500): 'Internal Server Error'"
    )
    assert send(settings_for(smsaero), sms()) == SendResult.retry(
        "SMS Aero asks to slow down (HTTP 429)", 2.0
    )
    with smsaero.down():
        result = send(settings_for(smsaero), sms())
    assert result.status is SendStatus.RETRY and "SMS Aero could not be reached" in result.reason
    assert smsaero.messages == {}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>502</html>", "cannot read (HTTP 200, the answer: Invalid JSON"),
        (b'{"data": {"id": 5}}', "success: Field required"),
        (b'{"success": true, "data": {"id": "five"}}', "data.id: Input should be a valid integer"),
        (b'{"success": true, "data": null}', "data: Input should be a valid dictionary"),
    ],
)
def test_a_garbage_answer_is_a_retry_with_the_reason(smsaero: FakeSmsAero, body: bytes, words: str) -> None:
    smsaero.force(Response(200, body))
    result = send(settings_for(smsaero), sms())
    assert result.status is SendStatus.RETRY
    assert words in result.reason


def test_polling_reports_delivery_and_failure(smsaero: FakeSmsAero) -> None:
    # given
    async def send_three_and_poll(adapter: SmsAero) -> Polled:
        ids = [(await adapter.send(sms(f"7916123456{n}"))).provider_id for n in range(3)]
        smsaero.set_status(1001, 1)
        smsaero.set_status(1002, 6)
        return await adapter.poll([str(i) for i in ids] + ["999", "not-a-number"])

    # when
    polled = with_adapter(settings_for(smsaero), send_three_and_poll)
    # then: 1003 is queued (no news); SMS Aero does not know 999
    assert polled.unknown == {
        "999": "SMS Aero: Message not found.",
        "not-a-number": "not an SMS Aero message id (a number)",
    }
    assert polled.reports == [
        DeliveryReport("1001", ReportStatus.DELIVERED, at=ANSWERED),
        DeliveryReport("1002", ReportStatus.FAILED, at=ANSWERED, reason="SMS Aero status 6: rejected"),
    ]


def test_the_callback_smsaero_makes_becomes_a_report(smsaero: FakeSmsAero) -> None:
    # given
    with CallbackCatcher() as handler:
        settings = settings_for(smsaero, callback_url=f"{handler.url}/cb", callback_token=SecretStr("s3cret"))
        send(settings, sms())
        smsaero.set_status(1001, 2)
        smsaero.post_callback(1001)
        callback = handler.callback()
    # when
    reports = SmsAero(settings).read_callback(callback)
    # then
    assert reports == [
        DeliveryReport("1001", ReportStatus.FAILED, at=ANSWERED, reason="SMS Aero status 2: delivery error")
    ]


def test_a_json_callback_is_read_too_and_pending_states_are_no_news() -> None:
    adapter = SmsAero(SmsAeroSettings(email="e", api_key=SecretStr("k")))
    delivered = Callback(b'{"data": {"id": 7, "status": 1}}', "application/json", {}, {})
    queued = Callback(b'{"id": 7, "status": 0, "extendStatus": "queue"}', "application/json", {}, {})
    assert adapter.read_callback(delivered) == [DeliveryReport("7", ReportStatus.DELIVERED)]
    assert adapter.read_callback(queued) == []


@pytest.mark.parametrize(
    ("callback", "words"),
    [
        (
            Callback(b"id=7&status=1", "application/x-www-form-urlencoded", {}, {}),
            "token is missing or wrong",
        ),
        (Callback(b"id=7&status=1", "text/plain", {"token": "s3cret"}, {}), "JSON or a form, this one is"),
        (Callback(b"{oops", "application/json", {"token": "s3cret"}, {}), "said it was JSON and is not"),
        (Callback(b"[1, 2]", "application/json", {"token": "s3cret"}, {}), "a JSON object, not list"),
        (Callback(b"\xff", "application/json", {"token": "s3cret"}, {}), "is UTF-8 text"),
        (
            Callback(b"status=1", "application/x-www-form-urlencoded", {"token": "s3cret"}, {}),
            "numeric id, not ''",
        ),
        (
            Callback(b"id=7&status=ok", "application/x-www-form-urlencoded", {"token": "s3cret"}, {}),
            "status, not",
        ),
        (
            Callback(b"id=7&&=", "application/x-www-form-urlencoded", {"token": "s3cret"}, {}),
            "url-encoded form",
        ),
    ],
)
def test_a_forged_or_garbage_callback_is_refused_with_what_is_wrong(callback: Callback, words: str) -> None:
    adapter = SmsAero(SmsAeroSettings(email="e", api_key=SecretStr("k"), callback_token=SecretStr("s3cret")))
    with pytest.raises(ValueError, match=re.escape(words)):
        adapter.read_callback(callback)
