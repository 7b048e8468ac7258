"""A fake SMSC.ru (https://smsc.ru/api/http/) over a real socket: ``sys/send.php``,
``sys/status.php`` and ``sys/balance.php``, with login and password or an API key, answers in the
format asked for (``fmt=3`` JSON; anything else gets SMSC's default line format), and the text read
in the charset asked for — windows-1251 unless ``charset=utf-8``, as SMSC does, so a client that
forgets the charset sees its Cyrillic garbled here too.

Script it: ``refuse(number, code)`` (7 bad format, 8 undeliverable), ``forbidden`` words (6),
``balance`` (3 when empty), ``set_status(id, number, code)`` (1 delivered, 3 expired, 22 wrong
number…). A send repeating an earlier one (same phones, text and id) is refused with 9, as SMSC
refuses identical requests within a minute; ``forget_repeats()`` plays the minute passing."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.http import FakeHttpServer, Request, Response

CHARSETS = {"utf-8": "utf-8", "koi8-r": "koi8_r", "windows-1251": "cp1251"}
ERRORS = {
    1: "parameters error",
    2: "authorise error",
    3: "no money",
    6: "message is denied",
    7: "invalid number",
    8: "can't deliver",
    9: "duplicate request, wait a minute",
}


@dataclass(frozen=True, slots=True)
class SentSms:
    smsc_id: int
    phone: str
    text: str
    sender: str | None
    charset: str


class FakeSmsc(FakeHttpServer):
    def __init__(self, login: str = "shop", password: str = "pa55", api_key: str = "fake-api-key") -> None:
        super().__init__()
        self.login, self.password, self.api_key = login, password, api_key
        self.balance = Decimal("100.00")
        self.price = Decimal("2.50")
        self.refusals: dict[str, int] = {}
        self.forbidden: set[str] = set()
        self.sent: list[SentSms] = []
        self.statuses: dict[tuple[int, str], int] = {}
        self._repeats: set[tuple[str, str, str]] = set()
        self._ids = itertools.count(1)

    def refuse(self, number: str, code: int) -> None:
        self.refusals[number] = code

    def set_status(self, smsc_id: int, number: str, code: int) -> None:
        self.statuses[(smsc_id, number)] = code

    def forget_repeats(self) -> None:
        self._repeats.clear()

    def answer(self, request: Request) -> Response:
        params = _params(request)
        charset = params.get("charset", "windows-1251")
        scripts = {
            "/sys/send.php": self._send,
            "/sys/status.php": self._status,
            "/sys/balance.php": self._balance,
        }
        script = scripts.get(request.path)
        if script is None:
            return Response.text(404, "Not Found")
        authorised = params.get("apikey") == self.api_key or (
            params.get("login") == self.login and params.get("psw") == self.password
        )
        payload = script(params) if authorised else _error(2)
        if params.get("fmt") != "3":
            return Response.text(200, "ERROR = 1 (this fake answers fmt=3 only)")
        body = json.dumps(payload, ensure_ascii=False).encode(CHARSETS.get(charset, "cp1251"))
        return Response(200, body, {"Content-Type": f"application/json; charset={charset}"})

    def _send(self, params: dict[str, str]) -> dict[str, Any]:
        phones, text = params.get("phones", ""), params.get("mes", "")
        if not phones or not text:
            return _error(1)
        smsc_id = int(params["id"]) if params.get("id", "").isdigit() else next(self._ids)
        repeat = (phones, text, str(smsc_id))
        if repeat in self._repeats:
            return _error(9)
        self._repeats.add(repeat)
        phone = phones.removeprefix("+")
        if code := self.refusals.get(phone) or (7 if not (phone.isdigit() and len(phone) >= 11) else 0):
            return {**_error(code), "id": smsc_id}
        if any(word in text for word in self.forbidden):
            return {**_error(6), "id": smsc_id}
        if self.balance < self.price:
            return {**_error(3), "id": smsc_id}
        self.balance -= self.price
        self.sent.append(
            SentSms(smsc_id, phone, text, params.get("sender"), params.get("charset", "windows-1251"))
        )
        self.statuses[(smsc_id, phone)] = -1
        return {"id": smsc_id, "cnt": 1}

    def _status(self, params: dict[str, str]) -> dict[str, Any]:
        if not params.get("id", "").isdigit():
            return _error(1)
        status = self.statuses.get((int(params["id"]), params.get("phone", "").removeprefix("+")), -3)
        changed = 1_780_000_000 if status > 0 else 0
        # SMSC's answer with fmt=3 and all=0 (https://smsc.ru/api/http/status_messages/status_answer/)
        return {"status": status, "last_date": "", "last_timestamp": changed, "flag": 0, "err": 0}

    def _balance(self, params: dict[str, str]) -> dict[str, Any]:
        return {"balance": f"{self.balance:.2f}"}


def _params(request: Request) -> dict[str, str]:
    """The query and the form, the text decoded in the charset the request names (SMSC's rule)."""
    raw = request.body.decode("ascii", errors="replace")
    in_ascii = dict(parse_qsl(raw, keep_blank_values=True, encoding="latin-1"))
    charset = request.query.get("charset") or in_ascii.get("charset") or "windows-1251"
    encoding = CHARSETS.get(charset, "cp1251")
    form = dict(parse_qsl(raw, keep_blank_values=True, encoding=encoding, errors="replace"))
    return {**request.query, **form}


def _error(code: int) -> dict[str, Any]:
    return {"error": ERRORS.get(code, "error"), "error_code": code}
