from __future__ import annotations

import asyncio

import httpx
import pytest

from retentio.messaging.channels.http_calls import garbage, post, retry_after
from retentio.messaging.channels.port import SendResult, SendStatus


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT", "Date": "Wed, 21 Oct 2026 07:28:00 GMT"}, 30.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT"}, None),  # no Date to measure from
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_in_seconds_or_as_a_date(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after(httpx.Response(429, headers=headers)) == seconds


@pytest.mark.parametrize(
    ("status", "expected"),
    [(200, SendStatus.RETRY), (429, SendStatus.RETRY), (503, SendStatus.RETRY), (400, SendStatus.FAILED)],
)
def test_an_answer_in_no_known_shape_is_retried_unless_the_status_refuses_the_message(
    status: int, expected: SendStatus
) -> None:
    result = garbage(httpx.Response(status, text="<html>proxy error</html>"), "Provider")
    assert result.status is expected
    assert (
        result.reason == f"Provider answered HTTP {status} without its usual body: '<html>proxy error</html>'"
    )


def test_an_invalid_url_fails_instead_of_raising() -> None:
    async def call() -> SendResult:
        async with httpx.AsyncClient() as client:
            return await post(client, "https://[::1/send", json={})

    result = asyncio.run(call())
    assert result.status is SendStatus.FAILED
    assert result.reason.startswith("cannot send to an invalid URL")
