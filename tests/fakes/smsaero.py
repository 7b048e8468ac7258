"""A fake SMS Aero API v2 (https://smsaero.ru/integration/documentation/api/) over a real socket,
under ``/v2``: ``sms/send``, ``sms/status``, ``balance`` and ``auth``, with HTTP basic auth (email and
API key), every answer as ``{"success", "data", "message"}``, validation errors naming the refused
field, and the status callback SMS Aero makes to the ``callbackUrl`` a message was sent with.

Script it: ``refuse_number(number)`` (a validation error on ``number``), ``signs`` (approved
signatures), ``balance``, ``set_status(id, code)`` (1 delivered, 2 not delivered, 6 rejected…),
``post_callback(id)`` to call the message's ``callbackUrl``."""

from __future__ import annotations

import base64
import itertools
import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.fakes.http import FakeHttpServer, Request, Response

EXTEND_STATUS = {
    0: "queue",
    1: "delivery",
    2: "delivery error",
    3: "transmitted",
    4: "waiting status",
    6: "rejected",
    8: "moderation",
}
CREATED = 1_780_000_000


class FakeSmsAero(FakeHttpServer):
    def __init__(self, email: str = "shop@example.ru", api_key: str = "fake-api-key") -> None:
        super().__init__()
        self.email, self.api_key = email, api_key
        self.signs: set[str] = {"SMS Aero", "Retentio"}
        self.balance = Decimal("100.00")
        self.price = Decimal("4.59")
        self.refused_numbers: set[str] = set()
        self.messages: dict[int, dict[str, Any]] = {}
        self.callback_urls: dict[int, str] = {}
        self._ids = itertools.count(1001)

    def refuse_number(self, number: str) -> None:
        self.refused_numbers.add(number)

    def set_status(self, message_id: int, code: int) -> None:
        self.messages[message_id].update(
            status=code, extendStatus=EXTEND_STATUS[code], dateAnswer=CREATED + 5
        )

    def post_callback(self, message_id: int) -> httpx.Response:
        """SMS Aero's call to the message's ``callbackUrl`` about its current status."""
        message = self.messages[message_id]
        fields = {key: message[key] for key in ("id", "number", "status", "extendStatus", "dateAnswer")}
        return httpx.post(
            self.callback_urls[message_id], data={key: str(value) for key, value in fields.items()}
        )

    def answer(self, request: Request) -> Response:
        methods = {"/v2/sms/send": self._send, "/v2/sms/status": self._status, "/v2/balance": self._balance}
        if request.path == "/v2/auth":
            methods[request.path] = lambda _: (200, _answer(None, "Successful authorization."))
        method = methods.get(request.path)
        if method is None:
            return Response.json(404, _refusal(None, "Not found."))
        if not self._authorised(request):
            return Response.json(401, _refusal(None, "Your request was made with invalid credentials."))
        status, payload = method(_fields(request))
        return Response.json(status, payload)

    def _authorised(self, request: Request) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            email, _, key = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return (email, key) == (self.email, self.api_key)

    def _send(self, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        number, text, sign = str(fields.get("number", "")), str(fields.get("text", "")), fields.get("sign")
        if number in self.refused_numbers or not (number.isdigit() and 7 <= len(number) <= 15):
            return 400, _refusal({"number": ["incorrect"]}, "Validation error.")
        if not 2 <= len(text) <= 640:
            return 400, _refusal({"text": ["length"]}, "Validation error.")
        if sign not in self.signs:
            return 400, _refusal({"sign": ["not found"]}, "Validation error.")
        if self.balance < self.price:
            return 400, _refusal(None, "Insufficient funds on the balance.")
        self.balance -= self.price
        message_id = next(self._ids)
        self.messages[message_id] = {
            "id": message_id,
            "from": sign,
            "number": number,
            "text": text,
            "status": 0,
            "extendStatus": EXTEND_STATUS[0],
            "channel": "DIRECT",
            "cost": float(self.price),
            "dateCreate": CREATED,
            "dateSend": CREATED,
            "dateAnswer": None,
        }
        if fields.get("callbackUrl"):
            self.callback_urls[message_id] = str(fields["callbackUrl"])
        return 200, _answer(self.messages[message_id])

    def _status(self, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        message = self.messages.get(int(fields.get("id") or 0))
        if message is None:
            return 404, _refusal(None, "Message not found.")
        return 200, _answer(message)

    def _balance(self, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, _answer({"balance": float(self.balance)})


def _fields(request: Request) -> dict[str, Any]:
    """SMS Aero takes JSON bodies, forms and query strings alike."""
    if "json" in request.headers.get("content-type", "") and request.body:
        loaded = json.loads(request.body)
        return {**request.query, **(loaded if isinstance(loaded, dict) else {})}
    return {**request.query, **dict(parse_qsl(request.body.decode(), keep_blank_values=True))}


def _answer(data: Any, message: str | None = None) -> dict[str, Any]:
    return {"success": True, "data": data, "message": message}


def _refusal(data: Any, message: str) -> dict[str, Any]:
    return {"success": False, "data": data, "message": message}
