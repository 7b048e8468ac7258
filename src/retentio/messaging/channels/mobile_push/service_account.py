"""A Google service account's OAuth2 access token, as FCM HTTP v1 wants it.

The server-to-server flow (developers.google.com/identity/protocols/oauth2/service-account): a JWT
signed RS256 with the account's private key, claiming ``iss`` (the account's email), ``scope``,
``aud`` (the token URI), ``iat`` and ``exp`` (at most an hour later), is posted to the token URI as
``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>``; the answer is
``{"access_token", "expires_in", "token_type": "Bearer"}``. The token is kept until shortly before
it expires. The token URI comes from the service-account JSON, so tests point it at a fake.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from retentio.clock import Clock
from retentio.messaging.channels import http_calls
from retentio.messaging.channels.port import SendResult

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_LIFETIME = timedelta(hours=1)  # the longest Google accepts
_RENEW_BEFORE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    client_email: str
    private_key: rsa.RSAPrivateKey
    private_key_id: str
    token_uri: str
    project_id: str | None

    @classmethod
    def from_json(cls, text: str, setting: str) -> ServiceAccount:
        """Read the JSON key file Google's console gives; ``ValueError`` naming ``setting`` when it
        is not one."""
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError(f"{setting} is not JSON (a service account key file)") from None
        if not isinstance(data, dict) or data.get("type") != "service_account":
            raise ValueError(f"{setting} is not a service account key (its type is not 'service_account')")
        missing = [name for name in ("client_email", "private_key", "token_uri") if not data.get(name)]
        if missing:
            raise ValueError(f"{setting} lacks {', '.join(missing)}")
        try:
            key = serialization.load_pem_private_key(str(data["private_key"]).encode(), password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):  # TypeError: a key that needs a password
            raise ValueError(f"{setting}'s private_key is not a PEM private key without a password") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{setting}'s private_key is not an RSA key")
        project = data.get("project_id")
        return cls(
            client_email=str(data["client_email"]),
            private_key=key,
            private_key_id=str(data.get("private_key_id", "")),
            token_uri=str(data["token_uri"]),
            project_id=str(project) if project else None,
        )


def signed_assertion(account: ServiceAccount, scope: str, now: datetime) -> str:
    """The RS256 JWT that asks the token URI for an access token."""
    header = {"alg": "RS256", "typ": "JWT", "kid": account.private_key_id}
    issued = int(now.timestamp())
    claims = {
        "iss": account.client_email,
        "scope": scope,
        "aud": account.token_uri,
        "iat": issued,
        "exp": issued + int(_LIFETIME.total_seconds()),
    }
    signing_input = f"{_b64_json(header)}.{_b64_json(claims)}".encode()
    signature = account.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode()}.{_b64(signature)}"


class AccessTokens:
    """One bearer token at a time for a service account, fetched when missing or nearly expired, or
    after ``forget`` (a 401 from FCM says the one held is no good)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        account: ServiceAccount,
        clock: Clock,
        setting: str,
        scope: str = FCM_SCOPE,
    ) -> None:
        self._client = client
        self._account = account
        self._clock = clock
        self._setting = setting
        self._scope = scope
        self._token: str | None = None
        self._renew_at: datetime | None = None
        self._lock = asyncio.Lock()

    @property
    def can_refresh(self) -> bool:
        return True

    async def authorization(self) -> str | SendResult:
        """``Bearer <token>``, or why no token can be had now (a RETRY when the token URI is out of
        reach, FAILED when Google refuses the account)."""
        async with self._lock:
            if self._token is None or self._renew_at is None or self._clock.now() >= self._renew_at:
                fetched = await self._fetch()
                if isinstance(fetched, SendResult):
                    return fetched
            return f"Bearer {self._token}"

    def forget(self, authorization: str) -> None:
        # Only the token that was refused: another send may already have fetched a fresh one.
        if authorization == f"Bearer {self._token}":
            self._token = None

    async def _fetch(self) -> SendResult | None:
        now = self._clock.now()
        form = {"grant_type": _GRANT_TYPE, "assertion": signed_assertion(self._account, self._scope, now)}
        answer = await http_calls.post(self._client, self._account.token_uri, data=form)
        if not isinstance(answer, httpx.Response):
            return answer
        data = http_calls.json_object(answer) or {}
        token, lifetime = data.get("access_token"), data.get("expires_in")
        if answer.status_code == 200 and isinstance(token, str) and isinstance(lifetime, int | float):
            self._token = token
            self._renew_at = now + timedelta(seconds=lifetime) - _RENEW_BEFORE
            return None
        if answer.status_code >= 500 or answer.status_code == 429:
            return SendResult.retry(f"the token URI answered {_oauth_words(answer.status_code, data)}")
        return SendResult.failed(
            f"Google refuses the service account in {self._setting}: {_oauth_words(answer.status_code, data)}"
        )


def _oauth_words(status: int, data: dict[str, Any]) -> str:
    error, description = data.get("error"), data.get("error_description")
    words = ": ".join(str(part) for part in (error, description) if part)
    return f"HTTP {status} {words}".strip()


def _b64_json(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
