"""Viber REST bot API: ``send_message`` to a subscriber of the shop's bot, and the delivery callbacks
Viber posts to the bot's webhook.

Every request is ``POST {base_url}/<method>`` with the ``X-Viber-Auth-Token`` header and a JSON
body; every answer is HTTP 200 with ``{"status": <code>, "status_message": ...}``, 0 meaning ok
(developers.viber.com, "REST Bot API", and creators.viber.com, "Common Errors"). Callbacks carry
``X-Viber-Content-Signature``: the hex HMAC-SHA256 of the body keyed by the auth token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from retentio.messaging.channels import http_calls
from retentio.messaging.channels.port import (
    Callback,
    ChannelNotReady,
    DeliveryReport,
    Outgoing,
    ReportStatus,
    SendResult,
)
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.content import ChannelName, TextBody

TOKEN_SETTING = "channels.viber.auth_token"
_UNREACHABLE = frozenset({5, 6})  # receiverNotRegistered, receiverNotSubscribed
_TOO_MANY_TO_THIS_USER = 12
_BAD_TOKEN = 2
# Codes 1-24 are documented; each but 0, 5, 6 and 12 is about the request or the bot account, and
# will not change by trying again. An undocumented code is Viber's "general error": retried.
_LAST_DOCUMENTED = 24
_REPORTED: dict[str, ReportStatus] = {
    "delivered": ReportStatus.DELIVERED,
    "seen": ReportStatus.READ,
    "failed": ReportStatus.FAILED,
    "unsubscribed": ReportStatus.UNSUBSCRIBED,
}


class ViberSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    auth_token: SecretStr
    sender_name: str = Field(min_length=1, max_length=28)  # Viber's limit for sender.name
    sender_avatar: str | None = None
    base_url: str = "https://chatapi.viber.com/pa"
    # Viber documents no overall limit for send_message (broadcasts: 500 requests per 10 s).
    per_second: float = Field(default=50.0, gt=0)
    burst: int = Field(default=50, ge=1)
    # Status 12: a user got 100 messages within an hour without replying; try that user again later.
    busy_user_retry_seconds: float = Field(default=3600.0, ge=0)
    timeout_seconds: float = Field(default=10.0, gt=0)


class ViberChannel:
    def __init__(self, settings: ViberSettings, rate: RateLimit | None = None) -> None:
        self._settings = settings
        self._rate = rate or RateLimit(settings.per_second, settings.burst)
        self._client = http_calls.make_client(settings.timeout_seconds)

    @property
    def name(self) -> ChannelName:
        return ChannelName.VIBER

    async def check(self) -> None:
        answer = await self._call("get_account_info", {})
        if not isinstance(answer, httpx.Response):
            raise ChannelNotReady(f"Viber is out of reach at channels.viber.base_url: {answer.reason}")
        data = http_calls.json_object(answer)
        if data is None or not isinstance(data.get("status"), int):
            raise ChannelNotReady(
                f"Viber's get_account_info answered HTTP {answer.status_code} without a status"
            )
        if data["status"] == _BAD_TOKEN:
            raise ChannelNotReady(f"Viber refuses {TOKEN_SETTING} ({_words(data)})")
        if data["status"] != 0:
            raise ChannelNotReady(f"Viber's get_account_info failed: {_words(data)}")
        if not data.get("webhook"):
            # Viber lets a bot write to users only once its webhook is set (send_message: webhookNotSet).
            raise ChannelNotReady("the Viber bot has no webhook: set it to Retentio's Viber callback URL")

    async def send(self, outgoing: Outgoing) -> SendResult:
        body = outgoing.body
        if not isinstance(body, TextBody):
            return SendResult.failed(f"Viber sends text; this message has a {type(body).__name__}")
        if not outgoing.recipient.strip():
            return SendResult.unreachable("no Viber user id")
        await self._rate.acquire()
        answer = await self._call("send_message", self._message(outgoing, body))
        if not isinstance(answer, httpx.Response):
            return answer
        data = http_calls.json_object(answer)
        if answer.status_code != 200 or data is None or not isinstance(data.get("status"), int):
            return http_calls.garbage(answer, "Viber")
        return read_send_answer(data, self._settings.busy_user_retry_seconds)

    def read_callback(self, callback: Callback) -> list[DeliveryReport]:
        signature = _header(callback.headers, "x-viber-content-signature") or callback.query.get("sig")
        if not signature:
            raise ValueError("the Viber callback has no X-Viber-Content-Signature")
        if not hmac.compare_digest(signature.strip().lower(), self.signature(callback.body)):
            raise ValueError(f"the Viber callback's signature does not match {TOKEN_SETTING}")
        return read_callback_body(callback.body)

    def signature(self, body: bytes) -> str:
        key = self._settings.auth_token.get_secret_value().encode()
        return hmac.new(key, body, hashlib.sha256).hexdigest()

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, payload: dict[str, Any]) -> httpx.Response | SendResult:
        url = f"{self._settings.base_url.rstrip('/')}/{method}"
        token = self._settings.auth_token.get_secret_value()
        return await http_calls.post(self._client, url, json=payload, headers={"X-Viber-Auth-Token": token})

    def _message(self, outgoing: Outgoing, body: TextBody) -> dict[str, Any]:
        sender = {"name": self._settings.sender_name}
        if self._settings.sender_avatar:
            sender["avatar"] = self._settings.sender_avatar
        # Viber makes a link in the text tappable, so the link goes on its own line below the text.
        text = f"{body.text}\n{body.url}" if body.url else body.text
        return {
            "receiver": outgoing.recipient.strip(),
            "type": "text",
            "text": text,
            "sender": sender,
            # Comes back with the user's reply to this message.
            "tracking_data": outgoing.message_id,
        }


def read_send_answer(data: dict[str, Any], busy_user_retry_seconds: float) -> SendResult:
    status = data["status"]
    reason = _words(data)
    if status == 0:
        token = data.get("message_token")
        if isinstance(token, int | str) and str(token):
            return SendResult.sent(str(token))
        return SendResult.retry(f"Viber said ok without a message_token: {data!r:.120}")
    if status in _UNREACHABLE:
        return SendResult.unreachable(reason)
    if status == _TOO_MANY_TO_THIS_USER:
        return SendResult.retry(reason, busy_user_retry_seconds)
    if status == _BAD_TOKEN:
        return SendResult.failed(f"{reason} (check {TOKEN_SETTING})")
    if 0 < status <= _LAST_DOCUMENTED:
        return SendResult.failed(reason)
    return SendResult.retry(reason)


def read_callback_body(body: bytes) -> list[DeliveryReport]:
    """The reports in one (already authenticated) callback: none for events that are not about a
    message's fate (``webhook``, ``subscribed``, ``conversation_started``, ``message``)."""
    try:
        event = json.loads(body)
    except ValueError:
        raise ValueError("the Viber callback is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        raise ValueError("the Viber callback has no event")
    status = _REPORTED.get(event["event"])
    if status is None:
        return []
    token = event.get("message_token")
    if not isinstance(token, int | str):
        raise ValueError(f"the Viber {event['event']} callback has no message_token")
    user = event.get("user_id")
    return [
        DeliveryReport(
            provider_id=str(token),
            status=status,
            at=_when(event.get("timestamp")),
            reason=str(event.get("desc", "")),
            recipient=user if isinstance(user, str) else None,
        )
    ]


def _when(timestamp: Any) -> datetime | None:
    """Viber's timestamps are milliseconds since the epoch."""
    if not isinstance(timestamp, int | float) or isinstance(timestamp, bool):
        return None
    return datetime.fromtimestamp(timestamp / 1000, UTC)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _words(data: dict[str, Any]) -> str:
    return f"viber {data.get('status')}: {data.get('status_message', '')}".rstrip(": ")
