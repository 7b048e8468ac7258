"""How the Telegram adapter reads the Bot API's answers (the envelope of core.telegram.org/bots/api)."""

from __future__ import annotations

from typing import Any

import pytest

from retentio.messaging.channels.port import SendResult, SendStatus
from retentio.messaging.channels.telegram import read_send_answer


def error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        answer["parameters"] = parameters
    return answer


def test_an_accepted_message_is_sent_with_chat_and_message_id() -> None:
    answer = {"ok": True, "result": {"message_id": 77, "chat": {"id": 42, "type": "private"}}}
    assert read_send_answer("42", 200, answer) == SendResult.sent("42:77")


@pytest.mark.parametrize(
    ("code", "description", "parameters", "status"),
    [
        (403, "Forbidden: bot was blocked by the user", {}, SendStatus.UNREACHABLE),
        (403, "Forbidden: user is deactivated", {}, SendStatus.UNREACHABLE),
        (403, "Forbidden: bot can't initiate conversation with a user", {}, SendStatus.UNREACHABLE),
        (400, "Bad Request: chat not found", {}, SendStatus.UNREACHABLE),
        (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -100},
            SendStatus.UNREACHABLE,
        ),
        (400, "Bad Request: can't parse entities: unexpected end tag", {}, SendStatus.FAILED),
        (400, "Bad Request: message is too long", {}, SendStatus.FAILED),
        (401, "Unauthorized", {}, SendStatus.FAILED),
        (500, "Internal Server Error", {}, SendStatus.RETRY),
        (429, "Too Many Requests: retry after 3", {"retry_after": 3}, SendStatus.RETRY),
    ],
)
def test_each_error_is_classified(
    code: int, description: str, parameters: dict[str, Any], status: SendStatus
) -> None:
    result = read_send_answer("42", code, error(code, description, **parameters))
    assert result.status is status
    assert result.reason.startswith(f"telegram {code}: {description}")


def test_a_flood_answer_carries_telegrams_retry_after() -> None:
    assert read_send_answer("42", 429, error(429, "Too Many Requests", retry_after=31)).retry_after == 31


def test_ok_without_a_message_id_is_retried_not_taken_for_sent() -> None:
    assert read_send_answer("42", 200, {"ok": True, "result": True}).status is SendStatus.RETRY
