"""How mobile push answers in FCM v1's error shape are classified (FCM's ErrorCode reference)."""

from __future__ import annotations

from typing import Any

import pytest

from retentio.messaging.channels.mobile_push.shape import PushError, read_error
from retentio.messaging.channels.port import SendStatus


def answer(code: int, status: str, fcm_error: str | None = None, field: str | None = None) -> dict[str, Any]:
    details: list[dict[str, Any]] = []
    if fcm_error:
        details.append(
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_error}
        )
    if field:
        details.append(
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": field}]}
        )
    return {"error": {"code": code, "message": "words", "status": status, "details": details}}


def classify(
    http_status: int, data: dict[str, Any] | None, dead: frozenset[int] = frozenset(), fresh: bool = False
) -> SendStatus:
    error = PushError.read(http_status, data)
    return read_error("FCM", error, None, dead, "channels.fcm.service_account_file", fresh).status


@pytest.mark.parametrize(
    ("http_status", "data", "expected"),
    [
        (404, answer(404, "NOT_FOUND", "UNREGISTERED"), SendStatus.UNREACHABLE),
        (400, answer(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"), SendStatus.UNREACHABLE),
        (400, answer(400, "INVALID_ARGUMENT", field="message.token"), SendStatus.UNREACHABLE),
        (403, answer(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"), SendStatus.UNREACHABLE),
        (400, answer(400, "INVALID_ARGUMENT", field="message.data[0].value"), SendStatus.FAILED),
        (
            400,
            answer(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", field="message.android.ttl"),
            SendStatus.FAILED,
        ),
        (429, answer(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), SendStatus.RETRY),
        (503, answer(503, "UNAVAILABLE", "UNAVAILABLE"), SendStatus.RETRY),
        (500, answer(500, "INTERNAL", "INTERNAL"), SendStatus.RETRY),
        (401, answer(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"), SendStatus.FAILED),
        (403, answer(403, "PERMISSION_DENIED"), SendStatus.FAILED),
        (404, answer(404, "NOT_FOUND"), SendStatus.FAILED),  # no UNREGISTERED: the project, not the token
        (502, None, SendStatus.RETRY),
    ],
)
def test_fcm_answers(http_status: int, data: dict[str, Any] | None, expected: SendStatus) -> None:
    assert classify(http_status, data) is expected


def test_a_401_is_a_retry_after_a_fresh_token_and_a_failure_with_a_fixed_one() -> None:
    unauthenticated = answer(401, "UNAUTHENTICATED")
    assert classify(401, unauthenticated, fresh=True) is SendStatus.RETRY
    assert classify(401, unauthenticated, fresh=False) is SendStatus.FAILED


def test_rustore_statuses_alone_mark_a_dead_token() -> None:
    assert classify(404, None, dead=frozenset({404, 410})) is SendStatus.UNREACHABLE
    assert classify(410, None, dead=frozenset({404, 410})) is SendStatus.UNREACHABLE


def test_the_reason_names_fcms_error_code_and_message() -> None:
    error = PushError.read(404, answer(404, "NOT_FOUND", "UNREGISTERED"))
    assert error.words == "HTTP 404 UNREGISTERED: words"
