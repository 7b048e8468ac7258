"""A fake Viber REST bot API: ``POST /pa/send_message`` and ``/pa/get_account_info`` with the
``X-Viber-Auth-Token`` header and the ``{"status": ..., "status_message": ...}`` answers of Viber's
error table; and the delivery callbacks (``delivered``, ``seen``, ``failed``, ``unsubscribed``)
Viber posts to a bot's webhook, signed with ``X-Viber-Content-Signature``.

Users must subscribe (``subscribe``) before the bot may write to them, as with the real bot.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass
from typing import Any

from tests.fakes.http import FakeHttpServer, Request, Response

MAX_REQUEST_BYTES = 30 * 1024  # "The maximum JSON for all API requests is 30kb"
MAX_SENDER_NAME = 28
STATUS_MESSAGES = {
    0: "ok",
    2: "invalidAuthToken",
    3: "badData",
    4: "missingData",
    5: "receiverNotRegistered",
    6: "receiverNotSubscribed",
    10: "webhookNotSet",
    12: "tooManyRequests",
}


@dataclass(frozen=True, slots=True)
class ViberMessage:
    message_token: int
    receiver: str
    text: str
    sender: dict[str, Any]
    tracking_data: str | None


class FakeViber(FakeHttpServer):
    def __init__(self, auth_token: str = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f") -> None:
        super().__init__()
        self.auth_token = auth_token
        self.webhook = "https://shop.example/v1/callbacks/viber"
        self.sent: list[ViberMessage] = []
        self._subscribers: set[str] = set()
        self._unregistered: set[str] = set()
        self._busy: set[str] = set()
        self._tokens = itertools.count(5741311803571721087)

    def subscribe(self, user_id: str) -> None:
        self._subscribers.add(user_id)

    def unsubscribe(self, user_id: str) -> None:
        self._subscribers.discard(user_id)

    def unregister(self, user_id: str) -> None:
        """The user left Viber: status 5."""
        self._subscribers.discard(user_id)
        self._unregistered.add(user_id)

    def too_many_to(self, user_id: str) -> None:
        """The user got 100 messages in an hour without replying: status 12 until they reply."""
        self._busy.add(user_id)

    def answer(self, request: Request) -> Response:
        if request.headers.get("x-viber-auth-token") is None:
            return Response.json(200, {"status": 2, "status_message": "missing_auth_token"})
        if request.headers["x-viber-auth-token"] != self.auth_token:
            return _status(2)
        if len(request.body) > MAX_REQUEST_BYTES:
            return _status(3)
        try:
            data = request.json()
        except ValueError:
            return _status(3)
        if request.path == "/pa/get_account_info":
            return self._account_info()
        if request.path == "/pa/send_message":
            return self._send_message(data)
        return Response.text(404, "Not Found")

    def callback(
        self, event: str, message_token: int, user_id: str, **extra: Any
    ) -> tuple[bytes, dict[str, str]]:
        """A callback as Viber posts it to the webhook: the body and its headers, signed."""
        payload = {"event": event, "timestamp": 1780315200000, "chat_hostname": "SN-CHAT-05_"}
        payload |= {"message_token": message_token, "user_id": user_id, **extra}
        body = json.dumps(payload).encode()
        signature = hmac.new(self.auth_token.encode(), body, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "X-Viber-Content-Signature": signature}

    def _account_info(self) -> Response:
        return Response.json(
            200,
            {
                "status": 0,
                "status_message": "ok",
                "id": "pa:75346594275468546724",
                "name": "Shop",
                "uri": "shop",
                "webhook": self.webhook,
                "event_types": [
                    "delivered",
                    "seen",
                    "failed",
                    "subscribed",
                    "unsubscribed",
                    "conversation_started",
                ],
                "subscribers_count": len(self._subscribers),
            },
        )

    def _send_message(self, data: Any) -> Response:
        if not isinstance(data, dict):
            return _status(3)
        sender = data.get("sender")
        receiver = data.get("receiver")
        if (
            not receiver
            or data.get("type") != "text"
            or not isinstance(sender, dict)
            or not sender.get("name")
        ):
            return _status(4)
        if not isinstance(data.get("text"), str) or len(sender["name"]) > MAX_SENDER_NAME:
            return _status(3)
        if not self.webhook:
            return _status(10)
        if receiver in self._unregistered:
            return _status(5)
        if receiver not in self._subscribers:
            return _status(6)
        if receiver in self._busy:
            return _status(12)
        message = ViberMessage(next(self._tokens), receiver, data["text"], sender, data.get("tracking_data"))
        self.sent.append(message)
        return Response.json(
            200,
            {
                "status": 0,
                "status_message": "ok",
                "message_token": message.message_token,
                "chat_hostname": "SN-CHAT-05_",
                "billing_status": 1,
            },
        )


def _status(code: int) -> Response:
    return Response.json(200, {"status": code, "status_message": STATUS_MESSAGES[code]})
