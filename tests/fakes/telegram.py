"""A fake Telegram Bot API: ``POST /bot<token>/getMe`` and ``/sendMessage`` with the real answer
envelope (``ok``/``result`` or ``ok``/``error_code``/``description``/``parameters``).

Chats must be opened (``open_chat``) before the bot may write to them, as with the real bot; a chat
can be blocked or its user deactivated (403), and a flood limit scripted (429 with ``retry_after``).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from tests.fakes.http import FakeHttpServer, Request, Response

MAX_TEXT = 4096
PARSE_MODES = {"HTML", "MarkdownV2", "Markdown"}


@dataclass(frozen=True, slots=True)
class SentMessage:
    chat_id: int | str
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None


class FakeTelegram(FakeHttpServer):
    def __init__(self, token: str = "123456:test-token", bot_username: str = "retentio_shop_bot") -> None:
        super().__init__()
        self.token = token
        self.bot_username = bot_username
        self.sent: list[SentMessage] = []
        self._chats: set[str] = set()
        self._blocked: dict[str, str] = {}
        self._floods: dict[str, int] = {}
        self._message_ids = itertools.count(1)

    def open_chat(self, chat_id: int | str) -> None:
        self._chats.add(str(chat_id))

    def block(self, chat_id: int | str) -> None:
        self._blocked[str(chat_id)] = "Forbidden: bot was blocked by the user"

    def deactivate(self, chat_id: int | str) -> None:
        self._blocked[str(chat_id)] = "Forbidden: user is deactivated"

    def flood(self, chat_id: int | str, retry_after: int) -> None:
        """The next message to this chat is refused with 429 and this ``retry_after``."""
        self._floods[str(chat_id)] = retry_after

    def answer(self, request: Request) -> Response:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith("/bot"):
            return _error(404, "Not Found")
        if not request.path.startswith(prefix):
            return _error(401, "Unauthorized")
        method = request.path[len(prefix) :].lower()  # the API's method names are case-insensitive
        params = _params(request)
        if params is None:
            return _error(400, "Bad Request: can't parse JSON")
        if method == "getme":
            return _ok({"id": 123456, "is_bot": True, "first_name": "Shop", "username": self.bot_username})
        if method == "sendmessage":
            return self._send_message(params)
        return _error(404, "Not Found")

    def _send_message(self, params: dict[str, Any]) -> Response:
        chat = params.get("chat_id")
        text = params.get("text")
        if chat is None or chat == "":
            return _error(400, "Bad Request: chat_id is empty")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            return _error(400, "Bad Request: message is too long")
        parse_mode = params.get("parse_mode")
        if parse_mode is not None and parse_mode not in PARSE_MODES:
            return _error(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        markup = params.get("reply_markup")
        if markup is not None and not _valid_inline_keyboard(markup):
            return _error(400, "Bad Request: can't parse reply keyboard markup JSON object")
        key = str(chat)
        if key in self._floods:
            wait = self._floods.pop(key)
            return _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        if key in self._blocked:
            return _error(403, self._blocked[key])
        if key not in self._chats:
            return _error(400, "Bad Request: chat not found")
        message = SentMessage(chat, next(self._message_ids), text, parse_mode, markup)
        self.sent.append(message)
        return _ok({"message_id": message.message_id, "chat": {"id": chat, "type": "private"}, "text": text})


def _params(request: Request) -> dict[str, Any] | None:
    """Bot API methods take a query string, a form or JSON (core.telegram.org/bots/api)."""
    if "application/json" in request.headers.get("content-type", ""):
        try:
            data = request.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    params: dict[str, Any] = dict(request.params())
    if isinstance(params.get("reply_markup"), str):
        params["reply_markup"] = json.loads(params["reply_markup"])
    return params


def _valid_inline_keyboard(markup: Any) -> bool:
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    return isinstance(rows, list) and all(
        isinstance(row, list)
        and all(isinstance(button, dict) and isinstance(button.get("text"), str) for button in row)
        for row in rows
    )


def _ok(result: Any) -> Response:
    return Response.json(200, {"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> Response:
    payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return Response.json(code, payload)
