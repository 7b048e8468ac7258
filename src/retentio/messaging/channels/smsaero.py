"""SMS Aero, API v2 (https://smsaero.ru/integration/documentation/api/): JSON POSTs to
``https://gate.smsaero.ru/v2/…`` with HTTP basic auth (the account's email and API key).
``sms/send`` takes ``number``, ``text``, ``sign`` and an optional ``callbackUrl``; every answer is
``{"success", "data", "message"}``, ``data`` being the message (``id``, ``status``, ``extendStatus``…)
or, on a validation error, the refused fields. Delivery is known by polling ``sms/status`` or by SMS
Aero calling the ``callbackUrl`` given with the message, with the message's ``id`` and ``status``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from pydantic import SecretStr

from retentio.messaging.channels.port import (
    Callback,
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    Polled,
    ReportStatus,
    SendResult,
)
from retentio.messaging.channels.sms_http import (
    ProviderAnswer,
    Reply,
    SmsAdapter,
    SmsSettings,
    moment,
    not_ready,
    secret_matches,
)

PROVIDER = "SMS Aero"
MONEY_WORDS = ("money", "funds", "balance", "credit", "средств", "баланс")


class SmsAeroSettings(SmsSettings):
    """``[channels.smsaero]``; ``sender`` is the approved signature (SMS Aero's own by default)."""

    base_url: str = "https://gate.smsaero.ru/v2"
    email: str
    api_key: SecretStr
    sender: str | None = "SMS Aero"
    callback_url: str | None = None  # where SMS Aero posts statuses: the API's callback route
    callback_token: SecretStr | None = None  # added to callback_url as ?token=…, checked on return


class _Answer(ProviderAnswer):
    success: bool
    data: Any = None
    message: str | None = None


class _Message(ProviderAnswer):
    id: int
    status: int
    extendStatus: str = ""  # noqa: N815 - SMS Aero's name
    dateAnswer: int | None = None  # noqa: N815 - SMS Aero's name


class _Balance(ProviderAnswer):
    balance: float


# Message statuses: 0 queued, 3 passed on, 4 waiting for a status, 8 in moderation are no news.
REPORT_CODES: Mapping[int, ReportStatus] = {
    1: ReportStatus.DELIVERED,
    2: ReportStatus.FAILED,  # not delivered
    6: ReportStatus.FAILED,  # rejected
}


class SmsAero(SmsAdapter[SmsAeroSettings]):
    """The SMS Aero adapter: ``Channel``, ``ReportsByPolling`` and ``ReportsByCallback``."""

    provider = PROVIDER

    async def check(self) -> None:
        reply = await self._post("balance", {})
        if isinstance(reply, SendResult):
            raise not_ready(reply)
        answer = self._http.read(reply, _Answer)
        if isinstance(answer, SendResult):
            raise not_ready(answer)
        if reply.status in (401, 403):
            raise ChannelNotReady(f"{self._credentials_refused()}: {answer.message}")
        if not answer.success:
            raise ChannelNotReady(f"SMS Aero did not give the balance: {answer.message}")

    async def send_text(self, outgoing: Outgoing, phone: str, text: str) -> SendResult:
        request: dict[str, Any] = {"number": int(phone), "text": text}
        if sign := self.sender_of(outgoing):
            request["sign"] = sign
        if callback_url := self._callback_url():
            request["callbackUrl"] = callback_url
        reply = await self._post("sms/send", request)
        if isinstance(reply, SendResult):
            return reply
        answer = self._http.read(reply, _Answer)
        if isinstance(answer, SendResult):
            return answer
        if not answer.success:
            return self._refusal(reply.status, answer)
        message = self._message(reply, answer)
        return message if isinstance(message, SendResult) else SendResult.sent(str(message.id))

    async def poll(self, provider_ids: Sequence[str]) -> Polled:
        polled = Polled()  # sms/status takes one id: one request a message
        for provider_id in provider_ids:
            if not provider_id.isdigit():
                polled.unknown[provider_id] = "not an SMS Aero message id (a number)"
                continue
            message = await self._status(int(provider_id))
            if isinstance(message, SendResult):
                polled.unknown[provider_id] = message.reason
                continue
            report = delivery_report(provider_id, message.status, message.extendStatus, message.dateAnswer)
            if report is not None:
                polled.reports.append(report)
        return polled

    def polls_by_default(self) -> bool:
        return self.settings.callback_url is None  # SMS Aero calls back about each message sent with it

    def read_callback(self, callback: Callback) -> list[DeliveryReport]:
        if not secret_matches(self.settings.callback_token, callback.query.get("token")):
            raise ValueError("the callback's token is missing or wrong (channels.smsaero.callback_token)")
        fields = callback_fields(callback)
        message_id, status = str(fields.get("id", "")), str(fields.get("status", ""))
        if not message_id.isdigit():
            raise ValueError(f"an SMS Aero callback names the message by its numeric id, not {message_id!r}")
        if not status.lstrip("-").isdigit():
            raise ValueError(f"an SMS Aero callback carries a numeric status, not {status!r}")
        answered = str(fields.get("dateAnswer", ""))
        at = int(answered) if answered.isdigit() else None
        report = delivery_report(message_id, int(status), str(fields.get("extendStatus", "")), at)
        return [] if report is None else [report]

    async def _status(self, message_id: int) -> _Message | SendResult:
        reply = await self._post("sms/status", {"id": message_id})
        if isinstance(reply, SendResult):
            return reply
        answer = self._http.read(reply, _Answer)
        return answer if isinstance(answer, SendResult) else self._message(reply, answer)

    async def _post(self, method: str, request: dict[str, Any]) -> Reply | SendResult:
        auth = httpx.BasicAuth(self.settings.email, self.settings.api_key.get_secret_value())
        return await self._http.request("POST", f"/{method}", json=request, auth=auth)  # under base_url's /v2

    def _callback_url(self) -> str | None:
        url, token = self.settings.callback_url, self.settings.callback_token
        if url is None or token is None:
            return url
        return f"{url}{'&' if '?' in url else '?'}{urlencode({'token': token.get_secret_value()})}"

    def _message(self, reply: Reply, answer: _Answer) -> _Message | SendResult:
        if not answer.success:
            return SendResult.retry(f"SMS Aero: {answer.message or 'no success and no message'}")
        return self._http.read_part(reply, "data", answer.data, _Message)

    def _credentials_refused(self) -> str:
        return "SMS Aero refused channels.smsaero.email and channels.smsaero.api_key"

    def _refusal(self, http_status: int, answer: _Answer) -> SendResult:
        said = answer.message or "no message"
        fields = answer.data if isinstance(answer.data, dict) else {}
        if http_status in (401, 403):
            return SendResult.retry(f"{self._credentials_refused()}: {said}")
        if "number" in fields:
            return SendResult.unreachable(f"SMS Aero refused the number: {said} {fields['number']}")
        if "sign" in fields:
            return SendResult.failed(
                f"SMS Aero refused the signature (channels.smsaero.sender): {said} {fields['sign']}"
            )
        if any(word in said.lower() for word in MONEY_WORDS):
            return SendResult.retry(f"SMS Aero: {said} (no money on the account)")
        if fields or 400 <= http_status < 500:
            return SendResult.failed(f"SMS Aero refused the message: {said} {fields or ''}".rstrip())
        return SendResult.retry(f"SMS Aero did not send (HTTP {http_status}): {said}")


def delivery_report(message_id: str, status: int, words: str, answered: int | None) -> DeliveryReport | None:
    report_status = REPORT_CODES.get(status)
    if report_status is None:
        return None
    reason = (
        ""
        if report_status is ReportStatus.DELIVERED
        else f"SMS Aero status {status}: {words or 'not delivered'}"
    )
    return DeliveryReport(message_id, report_status, at=moment(answered), reason=reason)


def callback_fields(callback: Callback) -> Mapping[str, object]:
    """The callback's fields, from a JSON object (bare or under ``data``) or from a form."""
    try:
        text = callback.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"an SMS Aero callback is UTF-8 text: {exc}") from exc
    if "json" in callback.content_type:
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"an SMS Aero callback said it was JSON and is not: {exc}") from exc
        if isinstance(payload, dict) and isinstance(payload.get("data"), dict):
            payload = payload["data"]
        if not isinstance(payload, dict):
            raise ValueError(f"an SMS Aero callback is a JSON object, not {type(payload).__name__}")
        return payload
    if "application/x-www-form-urlencoded" in callback.content_type:
        try:
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
        except ValueError as exc:
            raise ValueError(f"an SMS Aero callback is a url-encoded form: {exc}") from exc
    raise ValueError(
        f"an SMS Aero callback is JSON or a form, this one is {callback.content_type or 'untyped'!r}"
    )
