"""What the SMS adapters share: the adapter's skeleton (``SmsAdapter``: settings, a pooled HTTP
client, the text and the number settled before the provider is asked), the provider's rate limit,
and turning what HTTP itself says — a refused connection, a timeout, a 5xx, a 429 — into a RETRY, so
that each adapter reads only its provider's own answers. An answer that is not what the provider
documents becomes a RETRY too, with the reason and the start of the body: never an exception."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from retentio.messaging.channels.phones import InvalidPhone, normalise_phone
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.content import ChannelName, TextBody

Answer = TypeVar("Answer", bound=BaseModel)
SHOWN_BODY = 120  # characters of a garbage answer kept in the reason
# A 429 stops this process's sends for at most this long; a longer wait is the engine's to keep,
# from the retry_after it is given, not a rate limit's that every message would queue behind.
LONGEST_PAUSE = 300.0


class SmsSettings(BaseModel):
    """What every SMS provider's section has besides its credentials."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str
    sender: str | None = None  # the alpha name (sender id) approved by the provider
    rate_per_second: float = Field(default=10.0, gt=0)
    burst: int = Field(default=5, ge=1)
    timeout_seconds: float = Field(default=10.0, gt=0)
    # Ask the provider for delivery reports (``reports_polling``); unset: the provider's default
    # (``SmsAdapter.polls_by_default``).
    poll_reports: bool | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"base_url is an http(s) address, not {url!r}")
        return url

    def rate_limit(self) -> RateLimit:
        return RateLimit(self.rate_per_second, self.burst)


class ProviderAnswer(BaseModel):
    """A provider's JSON answer: fields Retentio does not use are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", frozen=True)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes


class Http:
    """One provider's connection pool and rate limit."""

    def __init__(self, provider: str, settings: SmsSettings) -> None:
        self.provider = provider
        self.rate = settings.rate_limit()
        self.client = httpx.AsyncClient(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.timeout_seconds),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        )

    async def request(self, method: str, path: str, **options: Any) -> Reply | SendResult:
        await self.rate.acquire()
        try:
            response = await self.client.request(method, path, **options)
        except httpx.TimeoutException as exc:
            return SendResult.retry(f"{self.provider} did not answer in time ({type(exc).__name__})")
        except httpx.RequestError as exc:  # refused, reset, broken TLS, an answer HTTP cannot parse
            return SendResult.retry(f"{self.provider} could not be reached ({type(exc).__name__}: {exc})")
        except UnicodeEncodeError as exc:  # a lone surrogate in a sender name or a setting
            return SendResult.failed(f"the request to {self.provider} cannot be encoded: {exc}")
        wait = retry_after(response.headers)
        if response.status_code == 429:
            if wait is not None:
                self.rate.pause(min(wait, LONGEST_PAUSE))
            return SendResult.retry(f"{self.provider} asks to slow down (HTTP 429)", wait)
        if response.status_code >= 500:
            shown = shown_body(response.content)
            return SendResult.retry(
                f"{self.provider} failed on its side (HTTP {response.status_code}): {shown}", wait
            )
        return Reply(response.status_code, response.content)

    def read(self, reply: Reply, answer: type[Answer]) -> Answer | SendResult:
        try:
            return answer.model_validate_json(reply.body)
        except ValidationError as exc:
            return self._unreadable(reply, exc, ())

    def read_part(self, reply: Reply, part: str, value: object, answer: type[Answer]) -> Answer | SendResult:
        """A part of an answer already read (``data`` of an envelope) as the shape it must have."""
        try:
            return answer.model_validate(value)
        except ValidationError as exc:
            return self._unreadable(reply, exc, (part,))

    def _unreadable(self, reply: Reply, exc: ValidationError, within: tuple[str, ...]) -> SendResult:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in (*within, *first["loc"])) or "the answer"
        return SendResult.retry(
            f"{self.provider} gave an answer Retentio cannot read (HTTP {reply.status}, "
            f"{where}: {first['msg']}): {shown_body(reply.body)}"
        )

    async def close(self) -> None:
        await self.client.aclose()


Settings = TypeVar("Settings", bound=SmsSettings)


class SmsAdapter(Generic[Settings]):
    """The skeleton of an SMS adapter: a subclass names its ``provider``, proves its settings
    (``check``) and sends one text to one normalised number (``send_text``); a body that is not a
    text and a number that is not one are settled here, before the provider is asked."""

    provider: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http = Http(self.provider, settings)

    @property
    def name(self) -> ChannelName:
        return ChannelName.SMS

    async def send(self, outgoing: Outgoing) -> SendResult:
        text = text_of(outgoing.body)
        if isinstance(text, SendResult):
            return text
        try:
            phone = normalise_phone(outgoing.recipient)
        except InvalidPhone as exc:
            return SendResult.unreachable(str(exc))
        return await self.send_text(outgoing, phone, text)

    async def send_text(self, outgoing: Outgoing, phone: str, text: str) -> SendResult:
        """Send ``text`` to ``phone`` (digits, international, no "+")."""
        raise NotImplementedError

    @property
    def poll_reports(self) -> bool:
        chosen = self.settings.poll_reports
        return self.polls_by_default() if chosen is None else chosen

    def polls_by_default(self) -> bool:
        """Whether reports are polled when the settings do not say: yes, unless the provider's
        callbacks are known to come (SMS Aero with a ``callback_url``)."""
        return True

    def sender_of(self, outgoing: Outgoing) -> str | None:
        """The message's own sender name, else the configured one."""
        return outgoing.sender or self.settings.sender

    async def close(self) -> None:
        await self._http.close()


def retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds, or as a date read against the answer's own ``Date`` (no clock)."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            until, sent = parsedate_to_datetime(value), parsedate_to_datetime(headers.get("date", ""))
            seconds = (until - sent).total_seconds()
        except (TypeError, ValueError):  # not a date, no Date, or one with a zone and one without
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def shown_body(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    return repr(text[:SHOWN_BODY] + ("…" if len(text) > SHOWN_BODY else "")) if text else "an empty body"


def text_of(body: object) -> str | SendResult:
    """The SMS text, or FAILED when the rendered message is not a text or is empty."""
    if not isinstance(body, TextBody):
        return SendResult.failed(f"an SMS needs a text body, this message has {type(body).__name__}")
    if not body.text.strip():
        return SendResult.failed("the SMS text is empty")
    try:
        body.text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return SendResult.failed(f"the SMS text is not valid Unicode ({exc.reason} at {exc.start})")
    return body.text


def moment(unix_seconds: int | None) -> datetime | None:
    """A provider's unix time of a status change; none, or an impossible one, is no time."""
    if not unix_seconds:
        return None
    try:
        return datetime.fromtimestamp(unix_seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None  # an impossible time is no reason to lose the status


def not_ready(problem: SendResult | str) -> ChannelNotReady:
    return ChannelNotReady(problem.reason if isinstance(problem, SendResult) else problem)


def secret_matches(expected: SecretStr | None, given: str | None) -> bool:
    """A callback's token against the configured one (constant time); no token configured: any."""
    if expected is None:
        return True
    return given is not None and hmac.compare_digest(expected.get_secret_value().encode(), given.encode())
