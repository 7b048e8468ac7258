"""The Telegram adapter against a fake Bot API over a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest
from pydantic import SecretStr
from tests.fakes.http import Response
from tests.fakes.telegram import FakeTelegram

from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult, SendStatus
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.channels.spacing import RecipientSpacing
from retentio.messaging.channels.telegram import TelegramChannel, TelegramSettings
from retentio.messaging.content import ChannelName, Kind, PushBody, TextBody

T = TypeVar("T")
CHAT = "5550001"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.open_chat(CHAT)
        yield server


def settings_for(fake: FakeTelegram, token: str | None = None) -> TelegramSettings:
    return TelegramSettings(bot_token=SecretStr(token or fake.token), base_url=fake.url)


def with_channel(
    settings: TelegramSettings,
    scenario: Callable[[TelegramChannel], Awaitable[T]],
    rate: RateLimit | None = None,
) -> T:
    async def run() -> T:
        channel = TelegramChannel(settings, rate=rate or RateLimit(1000, 1000), spacing=RecipientSpacing(0))
        try:
            return await scenario(channel)
        finally:
            await channel.close()

    return asyncio.run(run())


def message(
    text: str = "Привет, Анна! Ваш заказ №42 уже в пути.", url: str | None = None, chat: str = CHAT
) -> Outgoing:
    return Outgoing("msg-1", ChannelName.TELEGRAM, chat, TextBody(text, url), Kind.TRIGGER)


def send(fake: FakeTelegram, outgoing: Outgoing, rate: RateLimit | None = None) -> SendResult:
    return with_channel(settings_for(fake), lambda channel: channel.send(outgoing), rate)


def test_a_message_reaches_the_chat_with_its_link_button_and_the_russian_text_intact(
    fake: FakeTelegram,
) -> None:
    # when
    result = send(fake, message(url="https://shop.example/orders/42"))
    # then
    assert result == SendResult.sent(f"{CHAT}:1")
    [sent] = fake.sent
    assert sent.chat_id == int(CHAT)
    assert sent.text == "Привет, Анна! Ваш заказ №42 уже в пути."
    assert sent.parse_mode is None
    assert sent.reply_markup == {
        "inline_keyboard": [[{"text": "Открыть", "url": "https://shop.example/orders/42"}]]
    }


def test_a_message_without_a_link_has_no_button_and_the_parse_mode_comes_from_the_settings(
    fake: FakeTelegram,
) -> None:
    settings = settings_for(fake).model_copy(update={"parse_mode": "HTML"})
    result = with_channel(settings, lambda channel: channel.send(message("<b>Скидка</b> 10 %")))
    assert result.status is SendStatus.SENT
    [sent] = fake.sent
    assert (sent.parse_mode, sent.reply_markup, sent.text) == ("HTML", None, "<b>Скидка</b> 10 %")


@pytest.mark.parametrize(
    ("make_dead", "words"),
    [(FakeTelegram.block, "bot was blocked by the user"), (FakeTelegram.deactivate, "user is deactivated")],
)
def test_a_customer_who_blocked_the_bot_or_left_telegram_is_unreachable(
    fake: FakeTelegram, make_dead: Callable[[FakeTelegram, str], None], words: str
) -> None:
    make_dead(fake, CHAT)
    result = send(fake, message())
    assert result.status is SendStatus.UNREACHABLE
    assert result.reason == f"telegram 403: Forbidden: {words}"
    assert fake.sent == []


def test_a_chat_the_bot_does_not_know_is_unreachable(fake: FakeTelegram) -> None:
    result = send(fake, message(chat="999"))
    assert result == SendResult.unreachable("telegram 400: Bad Request: chat not found")


def test_a_flood_limit_is_a_retry_after_telegrams_seconds_and_pauses_the_whole_bot(
    fake: FakeTelegram,
) -> None:
    # given
    fake.flood(CHAT, retry_after=17)
    rate = RateLimit(1000, 1000)
    # when
    result = send(fake, message(), rate)
    # then
    assert result.status is SendStatus.RETRY
    assert result.retry_after == 17
    assert "Too Many Requests" in result.reason
    assert rate.wait_needed() > 16  # no token for the next 17 seconds, whoever the chat
    assert fake.sent == []


def test_a_bad_request_about_the_message_fails_it(fake: FakeTelegram) -> None:
    result = send(fake, message("я" * 5000))
    assert result == SendResult.failed("telegram 400: Bad Request: message is too long")


def test_a_body_that_is_not_text_fails_without_calling_telegram(fake: FakeTelegram) -> None:
    outgoing = Outgoing("msg-1", ChannelName.TELEGRAM, CHAT, PushBody("Заголовок", "Текст"), Kind.TRIGGER)
    result = send(fake, outgoing)
    assert result.status is SendStatus.FAILED
    assert fake.requests == []


def test_a_revoked_token_fails_the_message_and_names_the_setting(fake: FakeTelegram) -> None:
    result = with_channel(settings_for(fake, token="123456:revoked"), lambda channel: channel.send(message()))
    assert result.status is SendStatus.FAILED
    assert result.reason == "telegram 401: Unauthorized (check channels.telegram.bot_token)"


def test_check_asks_for_the_bot_and_a_wrong_token_names_the_setting(fake: FakeTelegram) -> None:
    with_channel(settings_for(fake), lambda channel: channel.check())
    assert fake.requests[-1].path == f"/bot{fake.token}/getMe"
    with pytest.raises(ChannelNotReady, match=r"channels\.telegram\.bot_token .*401: Unauthorized"):
        with_channel(settings_for(fake, token="000:wrong"), lambda channel: channel.check())


def test_check_says_telegram_is_out_of_reach_when_nothing_answers(fake: FakeTelegram) -> None:
    with fake.down(), pytest.raises(ChannelNotReady, match=r"out of reach at channels\.telegram\.base_url"):
        with_channel(settings_for(fake), lambda channel: channel.check())


def test_an_unreachable_api_a_5xx_and_garbage_are_retries(fake: FakeTelegram) -> None:
    with fake.down():
        refused = send(fake, message())
    fake.force(
        Response.json(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
        Response.text(200, "<html>proxy</html>"),
        Response.text(429, "slow down", {"Retry-After": "5"}),
    )
    busy, garbage, throttled = (send(fake, message()) for _ in range(3))
    assert refused.status is SendStatus.RETRY and "cannot reach" in refused.reason
    assert busy == SendResult.retry("telegram 502: Bad Gateway")
    assert garbage.status is SendStatus.RETRY and "<html>proxy</html>" in garbage.reason
    assert (throttled.status, throttled.retry_after) == (SendStatus.RETRY, 5)
    assert fake.sent == []


def test_a_channel_username_goes_as_text(fake: FakeTelegram) -> None:
    fake.open_chat("@shop_news")
    result = send(fake, message(chat="@shop_news"))
    assert result == SendResult.sent("@shop_news:1")
    assert fake.sent[0].chat_id == "@shop_news"
