"""A fake SMS.ru (https://sms.ru/api) over a real socket: ``sms/send`` with per-number answers,
``sms/status``, ``my/balance``, ``my/senders``, the api_id check, and the delivery callback SMS.ru
posts to a handler (``data[N]`` entries of lines: ``sms_status``, the id, the code, the time).

Script it: ``refuse(number, code)`` makes SMS.ru refuse that number with a documented code,
``set_status(sms_id, code)`` moves a message on (103 delivered, 104 expired…), ``post_callback``
tells a handler about it. ``force``/``down`` (from ``FakeHttpServer``) give 5xx, 429 and refusals."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tests.fakes.http import FakeHttpServer, Request, Response

TEXTS = {
    -1: "Сообщение не найдено",
    100: "Сообщение находится в нашей очереди",
    101: "Сообщение передается оператору",
    102: "Сообщение отправлено (в пути)",
    103: "Сообщение доставлено",
    104: "Не может быть доставлено: время жизни истекло",
    105: "Не может быть доставлено: удалено оператором",
    106: "Не может быть доставлено: сбой в телефоне",
    107: "Не может быть доставлено: неизвестная причина",
    108: "Не может быть доставлено: отклонено",
    200: "Неправильный api_id",
    201: "Не хватает средств на лицевом счету",
    202: "Неправильно указан номер телефона получателя, либо на него нет маршрута",
    203: "Нет текста сообщения",
    204: "Имя отправителя не согласовано с администрацией",
    207: "На этот номер нет маршрута для доставки сообщений",
    209: "Вы добавили этот номер (или один из номеров) в стоп-лист",
    211: "Метод не найден",
    215: "Этот номер находится в стоп-листе SMS.RU",
    220: "Сервис временно недоступен, попробуйте чуть позже",
    231: "Превышен лимит одинаковых сообщений на этот номер в минуту",
}


@dataclass(frozen=True, slots=True)
class SentSms:
    sms_id: str
    to: str
    text: str
    sender: str | None
    test: bool


class FakeSmsRu(FakeHttpServer):
    def __init__(self, api_id: str = "fake-api-id", senders: tuple[str, ...] = ("Retentio",)) -> None:
        super().__init__()
        self.api_id = api_id
        self.senders = senders
        self.balance = Decimal("100.00")
        self.price = Decimal("3.50")
        self.refusals: dict[str, int] = {}
        self.sent: list[SentSms] = []
        self.statuses: dict[str, int] = {}
        self._ids = itertools.count(1)

    def refuse(self, number: str, code: int) -> None:
        self.refusals[number] = code

    def set_status(self, sms_id: str, code: int) -> None:
        self.statuses[sms_id] = code

    def post_callback(self, url: str, *changes: tuple[str, int], at: int = 1_780_000_000) -> httpx.Response:
        """POST what SMS.ru posts to a handler: one ``data[N]`` entry per status change."""
        form = {
            f"data[{n}]": f"sms_status\n{sms_id}\n{code}\n{at}" for n, (sms_id, code) in enumerate(changes)
        }
        return httpx.post(url, data=form)

    def answer(self, request: Request) -> Response:
        params = request.params()
        methods = {
            "/sms/send": self._send,
            "/sms/status": self._status,
            "/my/balance": lambda _: {"status": "OK", "status_code": 100, "balance": float(self.balance)},
            "/my/senders": lambda _: {"status": "OK", "status_code": 100, "senders": list(self.senders)},
        }
        method = methods.get(request.path)
        if method is None:
            return _json(_error(211))
        if params.get("api_id") != self.api_id:
            return _json(_error(200))
        if params.get("json") != "1":
            return Response.text(200, "100\nthis fake answers the line format only to say: ask with json=1")
        return _json(method(params))

    def _send(self, params: dict[str, str]) -> dict[str, Any]:
        numbers = [number for number in params.get("to", "").split(",") if number]
        if not params.get("msg"):
            return _error(203)
        if not numbers or len(numbers) > 100:
            return _error(207)
        if self.balance < self.price * len(numbers):
            return _error(201)
        sender = params.get("from")
        if sender is not None and sender not in self.senders:
            return _error(204)
        test = params.get("test") == "1"
        answers = {number: self._send_one(number, params["msg"], sender, test) for number in numbers}
        return {"status": "OK", "status_code": 100, "sms": answers, "balance": float(self.balance)}

    def _send_one(self, number: str, text: str, sender: str | None, test: bool) -> dict[str, Any]:
        code = self.refusals.get(number) or (202 if not (number.isdigit() and len(number) >= 11) else None)
        if code is not None:
            return _error(code)
        serial = next(self._ids)
        sms_id = f"{serial:06d}-{1_000_000 + serial}"
        self.sent.append(SentSms(sms_id, number, text, sender, test))
        self.statuses[sms_id] = 100
        if not test:
            self.balance -= self.price
        return {"status": "OK", "status_code": 100, "sms_id": sms_id}

    def _status(self, params: dict[str, str]) -> dict[str, Any]:
        entries = {}
        for sms_id in params.get("sms_id", "").split(","):
            code = self.statuses.get(sms_id)
            # SMS.ru's answer (https://sms.ru/api/status): per id its code, text and price, or -1
            found = {**_error(code), "status": "OK", "cost": float(self.price)} if code is not None else None
            entries[sms_id] = _error(-1) if found is None else found
        return {"status": "OK", "status_code": 100, "sms": entries}


def _error(code: int) -> dict[str, Any]:
    return {"status": "ERROR", "status_code": code, "status_text": TEXTS.get(code, "")}


def _json(payload: dict[str, Any]) -> Response:
    return Response.json(200, payload)  # SMS.ru says everything with HTTP 200 and its own codes
