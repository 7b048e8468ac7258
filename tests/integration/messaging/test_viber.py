"""The Viber adapter against a fake Viber bot API over a real socket, and Viber's signed callbacks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from pydantic import SecretStr
from tests.fakes.http import Response
from tests.fakes.viber import FakeViber

from retentio.messaging.channels.port import (
    Callback,
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    ReportStatus,
    SendResult,
    SendStatus,
)
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.channels.viber import ViberChannel, ViberSettings
from retentio.messaging.content import ChannelName, Kind, TextBody

T = TypeVar("T")
USER = "01234567890A="
FIRST_TOKEN = 5741311803571721087


@pytest.fixture
def fake() -> Iterator[FakeViber]:
    with FakeViber() as server:
        server.subscribe(USER)
        yield server


def settings_for(fake: FakeViber, token: str | None = None) -> ViberSettings:
    return ViberSettings(
        auth_token=SecretStr(token or fake.auth_token), sender_name="Магазин", base_url=f"{fake.url}/pa"
    )


def with_channel(settings: ViberSettings, scenario: Callable[[ViberChannel], Awaitable[T]]) -> T:
    async def run() -> T:
        channel = ViberChannel(settings, rate=RateLimit(1000, 1000))
        try:
            return await scenario(channel)
        finally:
            await channel.close()

    return asyncio.run(run())


def message(user: str = USER, url: str | None = None) -> Outgoing:
    body = TextBody("Анна, для вас скидка 10 % до воскресенья", url)
    return Outgoing("msg-7", ChannelName.VIBER, user, body, Kind.MARKETING)


def send(fake: FakeViber, outgoing: Outgoing, token: str | None = None) -> SendResult:
    return with_channel(settings_for(fake, token), lambda channel: channel.send(outgoing))


def test_a_message_reaches_a_subscriber_with_the_sender_name_and_the_link_below_the_text(
    fake: FakeViber,
) -> None:
    result = send(fake, message(url="https://shop.example/sale"))
    assert result == SendResult.sent(str(FIRST_TOKEN))
    [sent] = fake.sent
    assert sent.receiver == USER
    assert sent.text == "Анна, для вас скидка 10 % до воскресенья\nhttps://shop.example/sale"
    assert sent.sender == {"name": "Магазин"}
    assert sent.tracking_data == "msg-7"
    assert fake.requests[0].headers["x-viber-auth-token"] == fake.auth_token


@pytest.mark.parametrize(
    ("make_dead", "reason"),
    [
        (FakeViber.unsubscribe, "viber 6: receiverNotSubscribed"),
        (FakeViber.unregister, "viber 5: receiverNotRegistered"),
    ],
)
def test_a_user_who_unsubscribed_or_left_viber_is_unreachable(
    fake: FakeViber, make_dead: Callable[[FakeViber, str], None], reason: str
) -> None:
    make_dead(fake, USER)
    assert send(fake, message()) == SendResult.unreachable(reason)


def test_too_many_messages_to_one_user_is_a_retry_an_hour_later(fake: FakeViber) -> None:
    fake.too_many_to(USER)
    assert send(fake, message()) == SendResult.retry("viber 12: tooManyRequests", 3600.0)


def test_a_wrong_token_fails_the_message_and_names_the_setting(fake: FakeViber) -> None:
    result = send(fake, message(), token="wrong")
    assert result == SendResult.failed("viber 2: invalidAuthToken (check channels.viber.auth_token)")


def test_a_5xx_garbage_and_a_provider_out_of_reach_are_retries(fake: FakeViber) -> None:
    fake.force(Response.text(503, "Service Unavailable"), Response.text(200, "<html>oops</html>"))
    busy, garbage = send(fake, message()), send(fake, message())
    with fake.down():
        refused = send(fake, message())
    assert [busy.status, garbage.status, refused.status] == [SendStatus.RETRY] * 3
    assert "oops" in garbage.reason
    assert fake.sent == []


def test_check_asks_for_the_account_and_names_what_is_wrong(fake: FakeViber) -> None:
    with_channel(settings_for(fake), lambda channel: channel.check())
    assert fake.requests[-1].path == "/pa/get_account_info"
    with pytest.raises(
        ChannelNotReady, match=r"refuses channels\.viber\.auth_token \(viber 2: invalidAuthToken\)"
    ):
        with_channel(settings_for(fake, token="wrong"), lambda channel: channel.check())
    fake.webhook = ""
    with pytest.raises(ChannelNotReady, match="no webhook"):
        with_channel(settings_for(fake), lambda channel: channel.check())


def read(fake: FakeViber, body: bytes, headers: dict[str, str]) -> list[DeliveryReport]:
    channel = ViberChannel(settings_for(fake))
    try:
        return channel.read_callback(Callback(body, "application/json", {}, headers))
    finally:
        asyncio.run(channel.close())


@pytest.mark.parametrize(
    ("event", "status"),
    [
        ("delivered", ReportStatus.DELIVERED),
        ("seen", ReportStatus.READ),
        ("failed", ReportStatus.FAILED),
        ("unsubscribed", ReportStatus.UNSUBSCRIBED),
    ],
)
def test_a_signed_callback_becomes_a_report_on_the_message(
    fake: FakeViber, event: str, status: ReportStatus
) -> None:
    extra = {"desc": "failure desc"} if event == "failed" else {}
    body, headers = fake.callback(event, FIRST_TOKEN, USER, **extra)
    [report] = read(fake, body, headers)
    assert report == DeliveryReport(
        provider_id=str(FIRST_TOKEN),
        status=status,
        at=datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        reason=extra.get("desc", ""),
        recipient=USER,
    )


def test_a_report_matches_the_message_the_adapter_sent(fake: FakeViber) -> None:
    sent = send(fake, message())
    body, headers = fake.callback("seen", fake.sent[0].message_token, USER)
    assert read(fake, body, headers)[0].provider_id == sent.provider_id


def test_a_callback_with_a_bad_or_missing_signature_is_refused(fake: FakeViber) -> None:
    body, headers = fake.callback("delivered", FIRST_TOKEN, USER)
    forged = body.replace(b"delivered", b"seen\x20\x20\x20\x20\x20")
    with pytest.raises(ValueError, match="signature does not match"):
        read(fake, forged, headers)
    with pytest.raises(ValueError, match="no X-Viber-Content-Signature"):
        read(fake, body, {"Content-Type": "application/json"})


def test_callbacks_that_are_not_about_a_message_give_no_report(fake: FakeViber) -> None:
    body, headers = fake.callback("conversation_started", FIRST_TOKEN, USER, subscribed=False)
    assert read(fake, body, headers) == []
