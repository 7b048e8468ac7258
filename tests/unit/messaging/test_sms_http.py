from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from retentio.messaging.channels.port import SendResult
from retentio.messaging.channels.sms_http import (
    SmsSettings,
    moment,
    retry_after,
    secret_matches,
    shown_body,
    text_of,
)
from retentio.messaging.content import EmailBody, TextBody


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, None),
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": " 1.5 "}, 1.5),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT", "Date": "Wed, 21 Oct 2026 07:28:00 GMT"}, 30.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT", "Date": "Wed, 21 Oct 2026 07:29:00 GMT"}, 0.0),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT"}, None),  # no Date to read it against
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:30 -0000", "Date": "Wed, 21 Oct 2026 07:28:00 GMT"}, None),
    ],
)
def test_retry_after_is_read_in_seconds_without_a_clock(
    headers: dict[str, str], seconds: float | None
) -> None:
    assert retry_after(httpx.Headers(headers)) == seconds


def test_a_shown_body_is_short_and_says_when_it_is_empty() -> None:
    assert shown_body(b"") == "an empty body"
    assert shown_body(b"  \n") == "an empty body"
    assert shown_body("ошибка".encode()) == "'ошибка'"
    assert shown_body(b"x" * 500) == repr("x" * 120 + "…")
    assert shown_body(b"\xff\xfe") == repr("\ufffd\ufffd")


def test_an_sms_needs_a_text_that_is_not_empty() -> None:
    assert text_of(TextBody("Привет")) == "Привет"
    assert text_of(TextBody(" \n")) == SendResult.failed("the SMS text is empty")
    assert text_of(TextBody("a\ud800")) == SendResult.failed(
        "the SMS text is not valid Unicode (surrogates not allowed at 1)"
    )
    assert text_of(EmailBody("s", "t")) == SendResult.failed(
        "an SMS needs a text body, this message has EmailBody"
    )


def test_a_callback_token_is_compared_only_when_one_is_configured() -> None:
    assert secret_matches(None, None)
    assert secret_matches(SecretStr("s3cret"), "s3cret")
    assert not secret_matches(SecretStr("s3cret"), None)
    assert not secret_matches(SecretStr("s3cret"), "S3cret")
    assert not secret_matches(SecretStr("s3cret"), "сикрет")  # not ASCII: refused, not an error


@pytest.mark.parametrize("url", ["sms.ru", "ftp://sms.ru", ""])
def test_a_base_url_is_an_http_address(url: str) -> None:
    with pytest.raises(ValidationError, match="base_url is an http"):
        SmsSettings(base_url=url)


def test_a_providers_time_is_utc_and_an_impossible_one_is_none() -> None:
    assert moment(1_780_000_000) == datetime(2026, 5, 28, 20, 26, 40, tzinfo=UTC)
    assert moment(0) is None
    assert moment(None) is None
    assert moment(10**20) is None
