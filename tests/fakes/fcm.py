"""Fake mobile push services speaking FCM HTTP v1's ``messages:send``.

``FakeFcm`` is also Google's OAuth2 token endpoint (``POST /token``): it checks the service
account's RS256 JWT against the account's public key and hands out short-lived access tokens, so
a test sees the whole flow (key file → signed assertion → bearer token → send → 401 → fresh token).
``FakeRuStore`` takes a fixed service token and answers dead tokens with 404 as RuStore does.

Devices are registered (``register``) before they can get messages; a token can be unregistered
(the app was removed) or never valid. A request for a ``held`` token waits until the test lets it
go, and then dies without delivering: what a worker killed while sending leaves behind.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.fakes.http import FakeHttpServer, Request, Response

_SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True, slots=True)
class PushedMessage:
    name: str
    token: str
    notification: dict[str, Any]
    data: dict[str, str]
    android: dict[str, Any] | None


class _MessagesSend(FakeHttpServer):
    """``POST /v1/projects/{project}/messages:send``, the part both providers share."""

    def __init__(self, project_id: str) -> None:
        super().__init__()
        self.project_id = project_id
        self.delivered: list[PushedMessage] = []
        self.validated: list[dict[str, Any]] = []
        self._devices: set[str] = set()
        self._unregistered: set[str] = set()
        self._held: dict[str, tuple[threading.Event, threading.Event]] = {}
        self._ids = itertools.count(1)

    def register(self, token: str) -> None:
        self._devices.add(token)

    def unregister(self, token: str) -> None:
        """The app was removed from the device, or the token expired."""
        self._devices.discard(token)
        self._unregistered.add(token)

    def hold(self, token: str) -> threading.Event:
        """Requests for ``token`` wait for ``let_go``; the event returned is set when one arrives."""
        arrived = threading.Event()
        self._held[token] = (arrived, threading.Event())
        return arrived

    def let_go(self) -> None:
        """The held requests end without a delivery (503: their sender is gone); the tokens are held
        no more."""
        held, self._held = self._held, {}
        for _, going in held.values():
            going.set()

    def stop(self) -> None:
        self.let_go()
        super().stop()

    def answer(self, request: Request) -> Response:
        refused = self.refuse_credentials(request)
        if refused is not None:
            return refused
        match = _SEND_PATH.match(request.path)
        if request.method != "POST" or match is None:
            return error(404, "NOT_FOUND", "Not Found")
        if match["project"] != self.project_id:
            return error(
                403,
                "PERMISSION_DENIED",
                f"Permission 'cloudmessaging.messages.create' denied on resource '{match['project']}'",
            )
        try:
            body = request.json()
        except ValueError:
            return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        return self._send(body)

    def refuse_credentials(self, request: Request) -> Response | None:
        raise NotImplementedError

    def dead_token(self, token: str) -> Response:
        raise NotImplementedError

    def accepted(self, name: str) -> Response:
        return Response.json(200, {"name": name})

    def _send(self, body: Any) -> Response:
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict) or not isinstance(message.get("token"), str):
            return bad_request("message.token", "Recipient of the message is not set.")
        data = message.get("data") or {}
        for key, value in data.items():
            if not isinstance(value, str):
                return bad_request(
                    f"message.data[{key}].value", f"Invalid value at 'message.data[{key}].value'"
                )
        token = message["token"]
        held = self._held.get(token)
        if held is not None:
            arrived, going = held
            arrived.set()
            going.wait(timeout=60)
            return error(503, "UNAVAILABLE", "The service is currently unavailable.", fcm_error="UNAVAILABLE")
        if token in self._unregistered:
            return self.dead_token(token)
        if token not in self._devices:
            return error(
                400,
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
                fcm_error="INVALID_ARGUMENT",
            )
        name = f"projects/{self.project_id}/messages/0:{next(self._ids)}%31bd1c9631bd1c96"
        if body.get("validate_only") is True:
            self.validated.append(message)
            return self.accepted(f"projects/{self.project_id}/messages/fake_message_id")
        notification = message.get("notification") or {}
        self.delivered.append(PushedMessage(name, token, notification, data, message.get("android")))
        return self.accepted(name)


class FakeFcm(_MessagesSend):
    def __init__(self, project_id: str = "retentio-shop", token_lifetime: int = 3599) -> None:
        super().__init__(project_id)
        self.token_lifetime = token_lifetime
        self.client_email = f"push-sender@{project_id}.iam.gserviceaccount.com"
        self.grants = 0
        self._key = service_account_key()
        self._access_tokens: set[str] = set()
        self._refusing_grants = False
        self._token_numbers = itertools.count(1)

    def service_account_json(self, key: rsa.RSAPrivateKey | None = None) -> str:
        """The key file Google's console gives, its token URI pointing at this fake."""
        pem = (key or self._key).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return json.dumps(
            {
                "type": "service_account",
                "project_id": self.project_id,
                "private_key_id": "0123456789abcdef",
                "private_key": pem.decode(),
                "client_email": self.client_email,
                "client_id": "100000000000000000001",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": f"{self.url}/token",
            }
        )

    def revoke_access_tokens(self) -> None:
        """Every access token handed out so far is refused (401) from now on."""
        self._access_tokens.clear()

    def refuse_grants(self, refusing: bool = True) -> None:
        """The service account's key was deleted: the token endpoint answers invalid_grant."""
        self._refusing_grants = refusing

    def answer(self, request: Request) -> Response:
        if request.path == "/token":
            return self._grant(request)
        return super().answer(request)

    def refuse_credentials(self, request: Request) -> Response | None:
        authorization = request.headers.get("authorization", "")
        if authorization.removeprefix("Bearer ") not in self._access_tokens:
            return error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                "or other valid authentication credential.",
            )
        return None

    def dead_token(self, token: str) -> Response:
        return error(404, "NOT_FOUND", "Requested entity was not found.", fcm_error="UNREGISTERED")

    def _grant(self, request: Request) -> Response:
        form = dict(parse_qsl(request.body.decode()))
        if form.get("grant_type") != JWT_BEARER or "assertion" not in form:
            return Response.json(
                400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
            )
        if self._refusing_grants:
            return Response.json(
                400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            )
        problem = self._assertion_problem(form["assertion"])
        if problem:
            return Response.json(400, {"error": "invalid_grant", "error_description": problem})
        self.grants += 1
        token = f"ya29.fake-{next(self._token_numbers)}"
        self._access_tokens.add(token)
        return Response.json(
            200, {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        )

    def _assertion_problem(self, assertion: str) -> str | None:
        try:
            header_part, claims_part, signature_part = assertion.split(".")
            header, claims = _unb64_json(header_part), _unb64_json(claims_part)
            signature = _unb64(signature_part)
        except ValueError:
            return "Invalid JWT: not three base64url parts"
        if header.get("alg") != "RS256":
            return "Invalid JWT: alg must be RS256"
        try:
            self._key.public_key().verify(
                signature, f"{header_part}.{claims_part}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return "Invalid JWT Signature."
        if claims.get("iss") != self.client_email or claims.get("aud") != f"{self.url}/token":
            return "Invalid JWT: iss or aud"
        if claims.get("scope") != FCM_SCOPE:
            return "Invalid JWT: scope"
        issued, expires = claims.get("iat"), claims.get("exp")
        if not isinstance(issued, int) or not isinstance(expires, int) or not 0 < expires - issued <= 3600:
            return (
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
            )
        return None


class FakeRuStore(_MessagesSend):
    def __init__(
        self, project_id: str = "rustore-project-1", service_token: str = "rustore-service-token"
    ) -> None:
        super().__init__(project_id)
        self.service_token = service_token

    def refuse_credentials(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {self.service_token}":
            return error(401, "UNAUTHENTICATED", "invalid service token")
        return None

    def dead_token(self, token: str) -> Response:
        return error(404, "NOT_FOUND", "push token not found")

    def accepted(self, name: str) -> Response:
        return Response.json(200, {})


@functools.cache
def service_account_key() -> rsa.RSAPrivateKey:
    """One RSA key per test run: making a 2048-bit key takes a good part of a second."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def error(code: int, status: str, message: str, fcm_error: str | None = None) -> Response:
    payload: dict[str, Any] = {"code": code, "message": message, "status": status}
    if fcm_error:
        payload["details"] = [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_error}
        ]
    return Response.json(code, {"error": payload})


def bad_request(field: str, description: str) -> Response:
    detail = {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{"field": field, "description": description}],
    }
    return Response.json(
        400,
        {"error": {"code": 400, "message": description, "status": "INVALID_ARGUMENT", "details": [detail]}},
    )


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _unb64_json(part: str) -> dict[str, Any]:
    value = json.loads(_unb64(part))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value
