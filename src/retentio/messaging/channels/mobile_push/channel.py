"""The adapter both mobile push providers share: ``POST {base}/v1/projects/{project}/messages:send``
with a bearer token, the answer classified by ``shape``; a 401 gets one fresh token where the
provider's tokens can be renewed (FCM)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from retentio.messaging.channels import http_calls
from retentio.messaging.channels.mobile_push.shape import PushError, read_error, request_body
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult, SendStatus
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.content import ChannelName, Kind, PushBody

# The start-up check asks the provider to validate a message to a token no device has.
_CHECK_TOKEN = "retentio-check-not-a-device"


class Authorizer(Protocol):
    @property
    def can_refresh(self) -> bool: ...

    async def authorization(self) -> str | SendResult:
        """The ``Authorization`` header's value, or why there is none now."""
        ...

    def forget(self, authorization: str) -> None:
        """The provider refused this value: the next ``authorization`` gets another (if it can)."""
        ...


class FixedToken:
    """A service token from the settings (RuStore): nothing to renew."""

    def __init__(self, token: str) -> None:
        self._authorization = f"Bearer {token}"

    @property
    def can_refresh(self) -> bool:
        return False

    async def authorization(self) -> str | SendResult:
        return self._authorization

    def forget(self, authorization: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class PushProvider:
    name: str  # as reasons say it: "FCM", "RuStore"
    base_url: str
    project_id: str
    dead_token_statuses: frozenset[int]  # HTTP statuses that alone mean a dead device token
    credentials_setting: str
    settings_section: str  # channels.fcm
    ttl_seconds: int | None = None

    @property
    def send_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/v1/projects/{self.project_id}/messages:send"


class MobilePushChannel:
    def __init__(
        self, provider: PushProvider, authorizer: Authorizer, client: httpx.AsyncClient, rate: RateLimit
    ) -> None:
        self._provider = provider
        self._authorizer = authorizer
        self._client = client
        self._rate = rate

    @property
    def name(self) -> ChannelName:
        return ChannelName.PUSH

    async def check(self) -> None:
        provider = self._provider
        body = PushBody("✓", "✓")
        probe = Outgoing("retentio-check", ChannelName.PUSH, _CHECK_TOKEN, body, Kind.TRANSACTIONAL)
        answer = await self._post(request_body(probe, body, None, validate_only=True))
        if isinstance(answer, SendResult):
            if answer.status is SendStatus.FAILED:  # no token: the credentials are refused
                raise ChannelNotReady(answer.reason)
            raise ChannelNotReady(
                f"{provider.name} is out of reach ({provider.settings_section}): {answer.reason}"
            )
        error = PushError.read(answer.status_code, http_calls.json_object(answer))
        if answer.status_code in (401, 403) and not error.is_about_the_token:
            raise ChannelNotReady(
                f"{provider.name} refuses {provider.credentials_setting} "
                f"for project {provider.project_id!r}: {error.words}"
            )
        if answer.status_code == 404 and not (
            error.is_about_the_token or 404 in provider.dead_token_statuses
        ):
            raise ChannelNotReady(
                f"{provider.name} knows no project {provider.project_id!r} "
                f"({provider.settings_section}.project_id): {error.words}"
            )

    async def send(self, outgoing: Outgoing) -> SendResult:
        body = outgoing.body
        if not isinstance(body, PushBody):
            return SendResult.failed(
                f"mobile push needs a title and a body; this message has a {type(body).__name__}"
            )
        if not outgoing.recipient.strip():
            return SendResult.unreachable("no device token")
        await self._rate.acquire()
        request = request_body(outgoing, body, self._provider.ttl_seconds)
        answer = await self._post(request)
        fresh_token_tried = False
        if isinstance(answer, httpx.Response) and self._needs_fresh_token(answer):
            fresh_token_tried = True
            answer = await self._post(request)
        if isinstance(answer, SendResult):
            return answer
        if 200 <= answer.status_code < 300:
            return self._sent(answer, outgoing)
        error = PushError.read(answer.status_code, http_calls.json_object(answer))
        provider = self._provider
        return read_error(
            provider.name,
            error,
            http_calls.retry_after(answer),
            provider.dead_token_statuses,
            provider.credentials_setting,
            fresh_token_tried,
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def _post(self, request: dict[str, Any]) -> httpx.Response | SendResult:
        authorization = await self._authorizer.authorization()
        if isinstance(authorization, SendResult):
            return authorization
        answer = await http_calls.post(
            self._client, self._provider.send_url, json=request, headers={"Authorization": authorization}
        )
        if isinstance(answer, httpx.Response) and answer.status_code == 401:
            self._authorizer.forget(authorization)
        return answer

    def _needs_fresh_token(self, answer: httpx.Response) -> bool:
        if answer.status_code != 401 or not self._authorizer.can_refresh:
            return False
        return not PushError.read(401, http_calls.json_object(answer)).is_third_party_auth

    @staticmethod
    def _sent(answer: httpx.Response, outgoing: Outgoing) -> SendResult:
        """FCM names the message (``projects/.../messages/...``); an answer without a name (RuStore
        may answer an empty object) is still an acceptance, known by Retentio's id."""
        data = http_calls.json_object(answer)
        name = data.get("name") if data else None
        return SendResult.sent(name if isinstance(name, str) and name else outgoing.message_id)
