"""Telegram Bot API: ``sendMessage`` to a chat the customer opened with the shop's bot.

Requests are ``POST {base_url}/bot{token}/{method}`` with a JSON body; every answer is
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...,
"parameters": {"retry_after": ...}}`` (core.telegram.org/bots/api, "Making requests"). Telegram
allows a bot about 30 messages a second overall and about one a second per chat (its bot FAQ); a
429 carries ``retry_after``, which pauses the whole bot. A 403 means the customer blocked the bot
or deleted their account: the contact is dead on this channel.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from retentio.messaging.channels import http_calls
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.channels.spacing import RecipientSpacing
from retentio.messaging.content import ChannelName, TextBody

TOKEN_SETTING = "channels.telegram.bot_token"
# 400s that say the chat is not there for this bot (a wrong or stale chat id): the contact is dead.
_DEAD_CHAT_WORDS = ("chat not found", "user not found", "peer_id_invalid")


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bot_token: SecretStr
    base_url: str = "https://api.telegram.org"
    # None: the text goes as written; "HTML" or "MarkdownV2": templates write that markup.
    parse_mode: Literal["HTML", "MarkdownV2"] | None = None
    # The label of the one button under a message that has a link.
    link_button_text: str = Field(default="Открыть", min_length=1, max_length=64)
    per_second: float = Field(default=30.0, gt=0)
    burst: int = Field(default=30, ge=1)
    seconds_between_messages_to_one_chat: float = Field(default=1.0, ge=0)
    timeout_seconds: float = Field(default=10.0, gt=0)


class TelegramChannel:
    def __init__(
        self,
        settings: TelegramSettings,
        rate: RateLimit | None = None,
        spacing: RecipientSpacing | None = None,
    ) -> None:
        self._settings = settings
        self._rate = rate or RateLimit(settings.per_second, settings.burst)
        self._spacing = spacing or RecipientSpacing(settings.seconds_between_messages_to_one_chat)
        self._client = http_calls.make_client(settings.timeout_seconds)

    @property
    def name(self) -> ChannelName:
        return ChannelName.TELEGRAM

    async def check(self) -> None:
        answer = await http_calls.post(self._client, self._method_url("getMe"), json={})
        if not isinstance(answer, httpx.Response):
            raise ChannelNotReady(f"Telegram is out of reach at channels.telegram.base_url: {answer.reason}")
        data = http_calls.json_object(answer)
        if answer.status_code in (401, 404):
            raise ChannelNotReady(f"Telegram refuses {TOKEN_SETTING} ({_words(answer.status_code, data)})")
        if data is None or data.get("ok") is not True:
            raise ChannelNotReady(f"Telegram's getMe failed: {_words(answer.status_code, data)}")

    async def send(self, outgoing: Outgoing) -> SendResult:
        body = outgoing.body
        if not isinstance(body, TextBody):
            return SendResult.failed(f"Telegram sends text; this message has a {type(body).__name__}")
        chat = outgoing.recipient.strip()
        if not chat:
            return SendResult.unreachable("no Telegram chat id")
        await self._spacing.wait_turn(chat)
        await self._rate.acquire()
        answer = await http_calls.post(
            self._client, self._method_url("sendMessage"), json=self._message(chat, body)
        )
        if not isinstance(answer, httpx.Response):
            return answer
        data = http_calls.json_object(answer)
        if data is None or not isinstance(data.get("ok"), bool):
            return http_calls.garbage(answer, "Telegram")
        result = read_send_answer(chat, answer.status_code, data)
        if result.retry_after is not None:
            self._rate.pause(result.retry_after)
        return result

    async def close(self) -> None:
        await self._client.aclose()

    def _method_url(self, method: str) -> str:
        return (
            f"{self._settings.base_url.rstrip('/')}/bot{self._settings.bot_token.get_secret_value()}/{method}"
        )

    def _message(self, chat: str, body: TextBody) -> dict[str, Any]:
        message: dict[str, Any] = {"chat_id": _chat_id(chat), "text": body.text}
        if self._settings.parse_mode is not None:
            message["parse_mode"] = self._settings.parse_mode
        if body.url:
            button = {"text": self._settings.link_button_text, "url": body.url}
            message["reply_markup"] = {"inline_keyboard": [[button]]}
        return message


def read_send_answer(chat: str, http_status: int, data: dict[str, Any]) -> SendResult:
    """Classify ``sendMessage``'s answer (pure: the adapter pauses its rate limit on a retry_after)."""
    if data["ok"]:
        return _sent(chat, data.get("result"))
    error_code = data.get("error_code")
    code = error_code if isinstance(error_code, int) else http_status
    description = str(data.get("description", ""))
    reason = _words(code, data)
    given = data.get("parameters")
    parameters: dict[str, Any] = given if isinstance(given, dict) else {}
    if code == 429:
        wait = parameters.get("retry_after")
        return SendResult.retry(reason, float(wait) if isinstance(wait, int | float) else None)
    if code == 403:
        return SendResult.unreachable(reason)
    if code == 400 and (
        "migrate_to_chat_id" in parameters or any(words in description.lower() for words in _DEAD_CHAT_WORDS)
    ):
        return SendResult.unreachable(reason)
    if code in (401, 404):
        return SendResult.failed(f"{reason} (check {TOKEN_SETTING})")
    if code >= 500:
        return SendResult.retry(reason)
    return SendResult.failed(reason)


def _sent(chat: str, result: Any) -> SendResult:
    message_id = result.get("message_id") if isinstance(result, dict) else None
    if not isinstance(message_id, int):
        return SendResult.retry(f"Telegram said ok without a message_id: {result!r:.120}")
    chat_info = result.get("chat")
    chat_id = chat_info.get("id") if isinstance(chat_info, dict) else None
    return SendResult.sent(f"{chat_id if chat_id is not None else chat}:{message_id}")


def _chat_id(chat: str) -> int | str:
    """A numeric chat id goes as a number, a ``@channelusername`` as text (the API takes either)."""
    try:
        return int(chat)
    except ValueError:
        return chat


def _words(code: int, data: dict[str, Any] | None) -> str:
    description = data.get("description") if data else None
    return f"telegram {code}: {description}" if description else f"telegram HTTP {code}"
