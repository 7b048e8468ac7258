"""A fake Web Push service (RFC 8030) that does what a browser's push service and the browser do
with a message: checks the VAPID ``Authorization: vapid t=<JWT>,k=<key>`` header (RFC 8292: an
ES256 JWT for this service's origin, signed by the key the subscription was made with, expiring
within 24 hours), the ``TTL`` header and ``Content-Encoding: aes128gcm``, then decrypts the payload
with the subscription's private key (RFC 8291) as the browser would, so a test reads what the
service worker would get.

``subscribe`` plays the browser's ``pushManager.subscribe``: a P-256 key pair and an auth secret
per subscription, the endpoint on this server.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from tests.fakes.http import FakeHttpServer, Request, Response

MAX_ENCRYPTED_BYTES = 4096
DAY = 24 * 3600


@dataclass
class FakeSubscription:
    number: int
    application_server_key: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    endpoint: str
    gone: bool = False

    def to_json(self) -> str:
        """What ``PushSubscription.toJSON()`` gives the shop's site."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": b64(public), "auth": b64(self.auth_secret)}
        return json.dumps({"endpoint": self.endpoint, "expirationTime": None, "keys": keys})


@dataclass(frozen=True, slots=True)
class PushedMessage:
    subscription: int
    payload: bytes
    ttl: int
    urgency: str | None
    claims: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.payload)


class FakePushService(FakeHttpServer):
    def __init__(self) -> None:
        super().__init__()
        self.pushed: list[PushedMessage] = []
        self._subscriptions: dict[int, FakeSubscription] = {}
        self._numbers = itertools.count(1)

    def subscribe(self, application_server_key: str) -> FakeSubscription:
        number = next(self._numbers)
        subscription = FakeSubscription(
            number,
            application_server_key,
            ec.generate_private_key(ec.SECP256R1()),
            os.urandom(16),
            f"{self.url}/push/{number}",
        )
        self._subscriptions[number] = subscription
        return subscription

    def expire(self, subscription: FakeSubscription) -> None:
        """The user revoked the permission or cleared the site's data: 410 Gone from now on."""
        subscription.gone = True

    def answer(self, request: Request) -> Response:
        number = request.path.removeprefix("/push/")
        subscription = self._subscriptions.get(int(number)) if number.isdigit() else None
        if request.method != "POST" or subscription is None:
            return Response.text(404, "no such subscription")
        if subscription.gone:
            return Response.text(410, "push subscription has unsubscribed or expired")
        ttl = request.headers.get("ttl", "")
        if not ttl.isdigit():
            return Response.text(400, "missing or invalid TTL header")
        if request.headers.get("content-encoding") != "aes128gcm":
            return Response.text(400, "Content-Encoding must be aes128gcm")
        if len(request.body) > MAX_ENCRYPTED_BYTES:
            return Response.text(413, "payload too large")
        vapid = self._vapid_problem(request.headers.get("authorization", ""), subscription)
        if isinstance(vapid, Response):
            return vapid
        try:
            payload = http_ece.decrypt(
                request.body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth_secret,
                version="aes128gcm",
            )
        except Exception:  # http_ece raises its own errors and cryptography's
            return Response.text(400, "cannot decrypt the payload with the subscription's keys")
        self.pushed.append(
            PushedMessage(subscription.number, payload, int(ttl), request.headers.get("urgency"), vapid)
        )
        return Response(201, b"", {"Location": f"{self.url}/message/{len(self.pushed)}", "TTL": ttl})

    def _vapid_problem(self, authorization: str, subscription: FakeSubscription) -> dict[str, Any] | Response:
        scheme, _, parameters = authorization.partition(" ")
        values = dict(part.strip().split("=", 1) for part in parameters.split(",") if "=" in part)
        if scheme.lower() != "vapid" or "t" not in values or "k" not in values:
            return Response.text(401, "missing VAPID authorization (vapid t=..., k=...)")
        if values["k"] != subscription.application_server_key:
            return Response.text(403, "the VAPID key is not the one the subscription was made with")
        try:
            header_part, claims_part, signature_part = values["t"].split(".")
            header, claims = unb64_json(header_part), unb64_json(claims_part)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(values["k"]))
            raw = unb64(signature_part)
            signature = utils.encode_dss_signature(
                int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
            )
            public.verify(signature, f"{header_part}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, InvalidSignature):
            return Response.text(401, "invalid VAPID token")
        now = time.time()
        if header.get("alg") != "ES256" or claims.get("aud") != self.url:
            return Response.text(401, "VAPID token: alg must be ES256 and aud this push service's origin")
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + DAY:
            return Response.text(401, "VAPID token: exp must be within 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            return Response.text(401, "VAPID token: sub must be a mailto: or https: URL")
        return claims


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def unb64_json(part: str) -> dict[str, Any]:
    value = json.loads(unb64(part))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value
