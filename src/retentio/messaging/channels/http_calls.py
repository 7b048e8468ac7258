"""What every HTTP provider adapter does the same way: one pooled client with timeouts, a call that
turns a refused connection or a timeout into a RETRY instead of an exception, and the provider's
answer read as JSON or not at all."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from retentio.messaging.channels.port import SendResult


def make_client(timeout_seconds: float, max_connections: int = 20) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        headers={"User-Agent": "Retentio"},
    )


async def post(client: httpx.AsyncClient, url: str, **request: Any) -> httpx.Response | SendResult:
    """POST, or the RETRY that a provider out of reach means (the message may go out later)."""
    try:
        host = urlsplit(url).netloc
        return await client.post(url, **request)
    except httpx.TimeoutException:
        return SendResult.retry(f"no answer from {host} in time")
    except httpx.RequestError as error:  # refused, reset, TLS, too many redirects...
        return SendResult.retry(f"cannot reach {host}: {type(error).__name__} {error}".strip())
    except (httpx.InvalidURL, ValueError) as error:
        return SendResult.failed(f"cannot send to an invalid URL: {error}")


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON object, or ``None`` when the body is not one (an HTML error page, garbage)."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds, or an HTTP date read against the
    answer's own ``Date`` (so no clock of ours is needed)."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        until = parsedate_to_datetime(value)
        sent = parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError):
        return None
    return max(0.0, (until - sent).total_seconds())


def garbage(response: httpx.Response, provider: str) -> SendResult:
    """An answer that is not the provider's shape (an HTML error page, a proxy's text): retried when
    the status says the provider is busy or may have taken it, failed otherwise; the start of the
    body is the reason."""
    start = response.text[:120].replace("\n", " ")
    reason = f"{provider} answered HTTP {response.status_code} without its usual body: {start!r}"
    status = response.status_code
    if status < 300 or status == 429 or status >= 500:
        return SendResult.retry(reason, retry_after(response))
    return SendResult.failed(reason)
