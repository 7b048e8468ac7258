"""The SMSC.ru adapter against the fake SMSC over a real socket."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from tests.fakes.http import Response
from tests.fakes.smsc import FakeSmsc
from tests.integration.messaging.sms_adapters import send, with_adapter

from retentio.messaging.channels.port import (
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    Polled,
    ReportStatus,
    SendResult,
    SendStatus,
)
from retentio.messaging.channels.smsc import Smsc, SmscSettings, smsc_message_id
from retentio.messaging.content import ChannelName, Kind, TextBody

TEXT = "Анна, ваш заказ №42 собран. Заберите до пятницы — ждём!"


def settings_for(fake: FakeSmsc, **changes: object) -> SmscSettings:
    values: dict[str, object] = {
        "base_url": fake.url,
        "login": fake.login,
        "password": SecretStr(fake.password),
    }
    return SmscSettings.model_validate({**values, **changes})


def sms(
    recipient: str = "8 (916) 123-45-67", message_id: str = "msg-1", sender: str | None = None
) -> Outgoing:
    return Outgoing(message_id, ChannelName.SMS, recipient, TextBody(TEXT), Kind.TRIGGER, sender=sender)


def test_a_message_goes_out_in_utf8_with_retentios_id(smsc: FakeSmsc) -> None:
    # when
    result = send(settings_for(smsc, sender="Retentio"), sms())
    # then
    smsc_id = smsc_message_id("msg-1")
    assert result == SendResult.sent(f"{smsc_id}:79161234567")
    assert smsc.sent == [smsc.sent[0]]
    assert (smsc.sent[0].smsc_id, smsc.sent[0].phone, smsc.sent[0].text) == (smsc_id, "79161234567", TEXT)
    assert (smsc.sent[0].sender, smsc.sent[0].charset) == ("Retentio", "utf-8")
    form = smsc.requests[0].form()
    assert (form["fmt"], form["phones"]) == ("3", "+79161234567")


def test_the_fake_garbles_cyrillic_sent_without_the_charset_as_smsc_does(smsc: FakeSmsc) -> None:
    form = {"login": smsc.login, "psw": smsc.password, "phones": "+79161234567", "mes": TEXT, "fmt": "3"}
    httpx.post(f"{smsc.url}/sys/send.php", data=form)
    assert smsc.sent[0].text != TEXT
    assert smsc.sent[0].text.startswith("РђРЅРЅР°")  # "Анна" in UTF-8 bytes read as windows-1251


def test_the_api_key_replaces_login_and_password(smsc: FakeSmsc) -> None:
    settings = SmscSettings(base_url=smsc.url, api_key=SecretStr(smsc.api_key))
    assert send(settings, sms()).status is SendStatus.SENT
    form = smsc.requests[0].form()
    assert form["apikey"] == smsc.api_key and "login" not in form and "psw" not in form


@pytest.mark.parametrize(
    "credentials",
    [{}, {"login": "shop"}, {"login": "shop", "password": "x", "api_key": "y"}],
)
def test_settings_need_exactly_one_way_to_log_in(credentials: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="needs api_key, or login and password"):
        SmscSettings.model_validate(credentials)


@pytest.mark.parametrize(
    ("script", "status", "words"),
    [
        (lambda fake: fake.refuse("79161234567", 7), SendStatus.UNREACHABLE, "SMSC error 7: invalid number"),
        (
            lambda fake: fake.refuse("79161234567", 8),
            SendStatus.UNREACHABLE,
            "cannot be delivered to this number",
        ),
        (lambda fake: fake.forbidden.add("заказ"), SendStatus.FAILED, "SMSC error 6: message is denied"),
        (lambda fake: setattr(fake, "balance", 0), SendStatus.RETRY, "no money on the SMSC account"),
    ],
)
def test_smscs_error_codes_are_classified(
    smsc: FakeSmsc, script: Callable[[FakeSmsc], object], status: SendStatus, words: str
) -> None:
    # given
    script(smsc)
    # when
    result = send(settings_for(smsc), sms())
    # then
    assert result.status is status
    assert words in result.reason
    assert smsc.sent == []


def test_a_resend_smsc_refuses_as_a_repeat_is_sent_when_the_first_went_out(smsc: FakeSmsc) -> None:
    # given: the first attempt reached SMSC, its answer was lost
    first = send(settings_for(smsc), sms())
    # when
    again = send(settings_for(smsc), sms())
    # then
    assert again == first
    assert len(smsc.sent) == 1
    assert [request.path for request in smsc.requests] == [
        "/sys/send.php",
        "/sys/send.php",
        "/sys/status.php",
    ]


def test_a_repeat_smsc_never_accepted_waits_a_minute(smsc: FakeSmsc) -> None:
    # given: the first attempt was refused (an empty account), then identical requests are repeats
    smsc.balance = 0
    send(settings_for(smsc), sms())
    # when
    result = send(settings_for(smsc), sms())
    # then
    assert result.status is SendStatus.RETRY
    assert (result.retry_after, "SMSC error 9") == (60.0, result.reason[:12])


def test_check_passes_with_good_credentials_and_names_the_bad_ones(smsc: FakeSmsc) -> None:
    with_adapter(settings_for(smsc), lambda adapter: adapter.check())
    with pytest.raises(ChannelNotReady, match=re.escape("SMSC refused channels.smsc.login and password")):
        with_adapter(settings_for(smsc, password=SecretStr("wrong")), lambda adapter: adapter.check())
    wrong_key = SmscSettings(base_url=smsc.url, api_key=SecretStr("wrong"))
    with pytest.raises(ChannelNotReady, match=re.escape("SMSC refused channels.smsc.api_key")):
        with_adapter(wrong_key, lambda adapter: adapter.check())


def test_wrong_credentials_at_send_time_are_a_retry_naming_the_setting(smsc: FakeSmsc) -> None:
    result = send(settings_for(smsc, password=SecretStr("wrong")), sms())
    assert result.status is SendStatus.RETRY
    assert "check channels.smsc.login and password" in result.reason


def test_server_errors_throttling_and_a_dead_server_are_retries(smsc: FakeSmsc) -> None:
    smsc.force(Response.text(503, "Service Unavailable"), Response.json(429, {}, {"Retry-After": "7"}))
    assert send(settings_for(smsc), sms()) == SendResult.retry(
        "SMSC failed on its side (HTTP 503): 'Service Unavailable'"
    )
    assert send(settings_for(smsc), sms()) == SendResult.retry("SMSC asks to slow down (HTTP 429)", 7.0)
    with smsc.down():
        result = send(settings_for(smsc), sms())
    assert result.status is SendStatus.RETRY and "SMSC could not be reached" in result.reason
    assert smsc.sent == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"OK - 1 SMS, ID - 1", "cannot read (HTTP 200, the answer: Invalid JSON"),
        (b'{"id": "abc"}', "id: Input should be a valid integer"),
        (b"{}", "neither an id nor an error"),
    ],
)
def test_a_garbage_answer_is_a_retry_with_the_reason(smsc: FakeSmsc, body: bytes, words: str) -> None:
    smsc.force(Response(200, body))
    result = send(settings_for(smsc), sms())
    assert result.status is SendStatus.RETRY
    assert words in result.reason


def test_polling_reports_delivery_failure_and_dead_numbers(smsc: FakeSmsc) -> None:
    # given
    async def send_four_and_poll(adapter: Smsc) -> Polled:
        ids = [(await adapter.send(sms(f"7916123456{n}", f"m{n}"))).provider_id for n in range(4)]
        for sent, code in zip(smsc.sent, (1, 3, 22), strict=False):
            smsc.set_status(sent.smsc_id, sent.phone, code)
        return await adapter.poll([str(i) for i in ids] + ["1:79990000000", "not-an-smsc-id"])

    # when
    polled = with_adapter(settings_for(smsc), send_four_and_poll)
    # then: the fourth is waiting, SMSC does not know 1:79990000000 (yet): no news
    at = datetime.fromtimestamp(1_780_000_000, UTC)
    ids = [f"{sent.smsc_id}:{sent.phone}" for sent in smsc.sent]
    assert polled.unknown == {"not-an-smsc-id": "not an SMSC message id of this adapter (<id>:<phone>)"}
    assert polled.reports == [
        DeliveryReport(ids[0], ReportStatus.DELIVERED, at=at),
        DeliveryReport(ids[1], ReportStatus.FAILED, at=at, reason="SMSC status 3: expired"),
        DeliveryReport(ids[2], ReportStatus.BOUNCED, at=at, reason="SMSC status 22: wrong number"),
    ]


def test_polling_a_dead_server_or_an_error_leaves_the_status_unknown_with_the_reason(smsc: FakeSmsc) -> None:
    # when
    with smsc.down():
        refused = with_adapter(settings_for(smsc), lambda adapter: adapter.poll(["1:79161234567"]))
    smsc.force(Response.json(200, {"error": "duplicate request, wait a minute", "error_code": 9}))
    too_often = with_adapter(settings_for(smsc), lambda adapter: adapter.poll(["1:79161234567"]))
    # then
    assert refused.reports == [] and refused.unknown["1:79161234567"].startswith(
        "SMSC did not give the status: SMSC could not be reached"
    )
    assert too_often == Polled(
        unknown={"1:79161234567": "SMSC did not give the status: error 9 duplicate request, wait a minute"}
    )


def test_the_message_id_is_stable_and_in_smscs_range() -> None:
    ids = {smsc_message_id(f"message-{n}") for n in range(10_000)}
    assert all(1 <= smsc_id <= 2_147_483_647 for smsc_id in ids)
    assert len(ids) == 10_000
    assert smsc_message_id("message-1") == smsc_message_id("message-1")
