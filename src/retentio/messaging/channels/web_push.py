"""Web Push: a notification to a browser's push subscription (RFC 8030), encrypted for it (RFC 8291,
``aes128gcm`` of RFC 8188) and signed by the shop with VAPID (RFC 8292).

The recipient is the subscription as the browser's ``PushSubscription.toJSON()`` gives it:
``{"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}``. ``pywebpush`` encrypts the payload and
``py_vapid`` signs the ``Authorization: vapid t=<JWT>,k=<public key>`` header; the request goes out
through the adapter's own pooled async client (pywebpush's own sending is blocking ``requests``).
The push service answers 201 Created; 404 and 410 mean the subscription is gone, 413 the payload is
too large, 429 slow down (RFC 8030 §5, §8.4).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from py_vapid.utils import b64urlencode
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pywebpush import WebPusher, WebPushException

from retentio.clock import Clock, SystemClock
from retentio.messaging.channels import http_calls
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.content import ChannelName, Kind, PushBody

SECTION = "channels.web_push"
# A push service must accept 4096 bytes of encrypted payload (RFC 8030 §7.2); aes128gcm adds an
# 86-byte header, a 16-byte tag and a padding delimiter.
MAX_PAYLOAD_BYTES = 4096 - 86 - 16 - 1
_VAPID_LIFETIME = timedelta(hours=12)  # RFC 8292: at most 24 hours
_VAPID_RENEW_BEFORE = timedelta(hours=1)
_GONE = (404, 410)


class WebPushSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The VAPID key pair's private half: base64url of the raw 32 bytes (as `web-push
    # generate-vapid-keys` prints it), or a PEM (py_vapid's `vapid --gen` writes one).
    vapid_private_key: SecretStr
    # Who push services contact about this sender: a mailto: or an https: URL (RFC 8292 §2.1).
    vapid_subject: str
    # How long a push service keeps a message for a browser that is offline (the TTL header).
    ttl_seconds: int = Field(default=24 * 3600, ge=0)
    per_second: float = Field(default=200.0, gt=0)
    burst: int = Field(default=100, ge=1)
    timeout_seconds: float = Field(default=10.0, gt=0)
    # Push services are https; plain http endpoints are refused unless this is on (local tests).
    allow_plain_http: bool = False

    @field_validator("vapid_subject")
    @classmethod
    def _contact(cls, value: str) -> str:
        if not value.startswith(("mailto:", "https://")):
            raise ValueError(f"{SECTION}.vapid_subject must be a mailto: or https: URL, not {value!r}")
        return value


class WebPushChannel:
    def __init__(
        self, settings: WebPushSettings, clock: Clock | None = None, rate: RateLimit | None = None
    ) -> None:
        self._settings = settings
        self._vapid = _vapid_key(settings.vapid_private_key.get_secret_value())
        self._clock = clock or SystemClock()
        self._rate = rate or RateLimit(settings.per_second, settings.burst)
        self._client = http_calls.make_client(settings.timeout_seconds)
        self._signed: dict[str, tuple[str, datetime]] = {}  # push service origin -> header, renew at

    @property
    def name(self) -> ChannelName:
        return ChannelName.WEB_PUSH

    @property
    def application_server_key(self) -> str:
        """The VAPID public key the shop's site passes to ``pushManager.subscribe``."""
        raw = self._vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return str(b64urlencode(raw))

    async def check(self) -> None:
        """The key was read when the channel was made; a push service has no "who am I" to ask, so
        the check is that a VAPID header can be signed."""
        self._authorization("https://push.example")

    async def send(self, outgoing: Outgoing) -> SendResult:
        body = outgoing.body
        if not isinstance(body, PushBody):
            return SendResult.failed(
                f"web push needs a title and a body; this message has a {type(body).__name__}"
            )
        subscription = self._subscription(outgoing.recipient)
        if isinstance(subscription, SendResult):
            return subscription
        payload = _payload(outgoing, body)
        if len(payload) > MAX_PAYLOAD_BYTES:
            return SendResult.failed(
                f"the web push payload is {len(payload)} bytes; push services take {MAX_PAYLOAD_BYTES}"
            )
        try:
            encrypted = WebPusher(subscription).encode(payload, "aes128gcm")["body"]
        except (WebPushException, ValueError, TypeError) as error:
            return SendResult.unreachable(f"the subscription's keys are unusable: {error}")
        endpoint = subscription["endpoint"]
        headers = {
            "Authorization": self._authorization(_origin(endpoint)),
            "TTL": str(self._settings.ttl_seconds),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": "high" if outgoing.kind is Kind.TRANSACTIONAL else "normal",
        }
        await self._rate.acquire()
        answer = await http_calls.post(self._client, endpoint, content=encrypted, headers=headers)
        if not isinstance(answer, httpx.Response):
            return answer
        return read_answer(answer, outgoing.message_id)

    async def close(self) -> None:
        await self._client.aclose()

    def _subscription(self, recipient: str) -> dict[str, Any] | SendResult:
        try:
            subscription = json.loads(recipient)
        except ValueError:
            return SendResult.unreachable("the web push subscription is not JSON")
        if not isinstance(subscription, dict) or not isinstance(subscription.get("endpoint"), str):
            return SendResult.unreachable("the web push subscription has no endpoint")
        keys = subscription.get("keys")
        if not isinstance(keys, dict) or not all(
            isinstance(keys.get(name), str) for name in ("p256dh", "auth")
        ):
            return SendResult.unreachable("the web push subscription has no p256dh and auth keys")
        schemes = ("https", "http") if self._settings.allow_plain_http else ("https",)
        if not _url_with(subscription["endpoint"], schemes):
            return SendResult.unreachable(f"the web push endpoint is not an {' or '.join(schemes)} URL")
        return subscription

    def _authorization(self, origin: str) -> str:
        """The VAPID header for one push service, signed again an hour before it expires."""
        now = self._clock.now()
        signed = self._signed.get(origin)
        if signed is None or now >= signed[1]:
            claims = {
                "sub": self._settings.vapid_subject,
                "aud": origin,
                "exp": int((now + _VAPID_LIFETIME).timestamp()),
            }
            header = str(self._vapid.sign(claims)["Authorization"])
            signed = (header, now + _VAPID_LIFETIME - _VAPID_RENEW_BEFORE)
            self._signed[origin] = signed
        return signed[0]


def read_answer(answer: httpx.Response, message_id: str) -> SendResult:
    status = answer.status_code
    reason = f"web push HTTP {status} {answer.text[:200]}".strip()
    if 200 <= status < 300:
        # The Location header names the push message resource (RFC 8030 §5).
        return SendResult.sent(answer.headers.get("location") or message_id)
    if status in _GONE:
        return SendResult.unreachable(reason)
    if status == 429 or status >= 500:
        return SendResult.retry(reason, http_calls.retry_after(answer))
    if status in (401, 403):
        return SendResult.failed(
            f"{reason} (the push service refuses the VAPID signature: {SECTION}.vapid_private_key)"
        )
    return SendResult.failed(reason)  # 400, 413 (too large) and the like: this message will not do


def _payload(outgoing: Outgoing, body: PushBody) -> bytes:
    """What the site's service worker gets in its ``push`` event (``event.data.json()``)."""
    data = {
        "title": body.title,
        "body": body.body,
        "message_id": outgoing.message_id,
        "kind": str(outgoing.kind),
    }
    if body.url:
        data["url"] = body.url
    if body.image_url:
        data["image"] = body.image_url
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _url_with(endpoint: str, schemes: tuple[str, ...]) -> bool:
    try:
        parts = urlsplit(endpoint)
        httpx.URL(endpoint)
    except (ValueError, httpx.InvalidURL):
        return False
    return parts.scheme in schemes and bool(parts.hostname)


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _vapid_key(private_key: str) -> Any:
    setting = f"{SECTION}.vapid_private_key"
    try:
        if "-----BEGIN" in private_key:
            return Vapid02.from_pem(private_key.encode())
        return Vapid02.from_string(private_key.strip())
    except Exception as error:  # py_vapid raises whatever its decoders raise
        raise ChannelNotReady(f"{setting} is not a VAPID private key: {type(error).__name__}") from None
