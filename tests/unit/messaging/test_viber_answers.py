"""How the Viber adapter reads ``send_message``'s status codes (Viber's "Common Errors" table)."""

from __future__ import annotations

import pytest

from retentio.messaging.channels.port import SendStatus
from retentio.messaging.channels.viber import read_callback_body, read_send_answer


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (5, "receiverNotRegistered", SendStatus.UNREACHABLE),
        (6, "receiverNotSubscribed", SendStatus.UNREACHABLE),
        (12, "tooManyRequests", SendStatus.RETRY),
        (3, "badData", SendStatus.FAILED),
        (7, "publicAccountBlocked", SendStatus.FAILED),
        (9, "publicAccountSuspended", SendStatus.FAILED),
        (10, "webhookNotSet", SendStatus.FAILED),
        (11, "receiverNoSuitableDevice", SendStatus.FAILED),
        (24, "noBalance", SendStatus.FAILED),
        (99, "generalError", SendStatus.RETRY),
    ],
)
def test_each_status_is_classified(status: int, message: str, expected: SendStatus) -> None:
    result = read_send_answer({"status": status, "status_message": message}, busy_user_retry_seconds=60)
    assert result.status is expected
    assert result.reason == f"viber {status}: {message}"


def test_ok_carries_the_message_token_as_the_provider_id() -> None:
    result = read_send_answer({"status": 0, "status_message": "ok", "message_token": 12}, 60)
    assert result.provider_id == "12"
    assert read_send_answer({"status": 0, "status_message": "ok"}, 60).status is SendStatus.RETRY


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "no event"),
        (b'{"event": "seen", "user_id": "u"}', "no message_token"),
    ],
)
def test_a_callback_body_that_is_not_vibers_is_refused(body: bytes, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        read_callback_body(body)
