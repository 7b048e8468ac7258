from __future__ import annotations

import pytest

from retentio.messaging.channels.email.answers import Stage, classify_refusal
from retentio.messaging.channels.port import SendStatus


@pytest.mark.parametrize(
    ("stage", "code", "text", "status"),
    [
        ("MAIL", 421, "4.7.0 Too many connections, try later", SendStatus.RETRY),
        ("RCPT", 450, "4.2.0 Greylisted, come back in 5 minutes", SendStatus.RETRY),
        ("RCPT", 451, "4.3.0 Temporary lookup failure", SendStatus.RETRY),
        ("DATA", 452, "4.3.1 Insufficient system storage", SendStatus.RETRY),
        (
            "RCPT",
            550,
            "5.1.1 <ivan@example.ru>: Recipient address rejected: User unknown",
            SendStatus.UNREACHABLE,
        ),
        ("RCPT", 553, "5.1.3 Bad recipient address syntax", SendStatus.UNREACHABLE),
        ("RCPT", 551, "User not local", SendStatus.UNREACHABLE),
        ("RCPT", 556, "5.1.10 Recipient address has null MX", SendStatus.UNREACHABLE),
        ("RCPT", 550, "5.7.1 Relaying denied", SendStatus.FAILED),
        (
            "RCPT",
            554,
            "5.7.1 Service unavailable; client host blocked using zen.spamhaus.org",
            SendStatus.FAILED,
        ),
        ("RCPT", 552, "5.2.2 Mailbox full", SendStatus.RETRY),
        ("MAIL", 553, "5.7.1 Sender address rejected: not owned by user shop", SendStatus.FAILED),
        ("MAIL", 552, "5.3.4 Message size exceeds fixed limit", SendStatus.FAILED),
        ("DATA", 552, "5.3.4 Message size exceeds fixed maximum message size", SendStatus.FAILED),
        ("DATA", 554, "5.7.1 Message rejected as spam", SendStatus.FAILED),
        (
            "DATA",
            550,
            "5.1.1 The email account that you tried to reach does not exist",
            SendStatus.UNREACHABLE,
        ),
        ("DATA", 250, "odd", SendStatus.RETRY),
    ],
)
def test_each_answer_means_what_rfc_5321_and_3463_say(
    stage: Stage, code: int, text: str, status: SendStatus
) -> None:
    result = classify_refusal(stage, code, text)
    assert result.status is status
    assert result.reason.startswith(f"{stage} {code} ")
    assert result.provider_id is None


def test_the_reason_keeps_the_servers_words_on_one_line() -> None:
    result = classify_refusal(
        "RCPT", 550, "5.1.1 The email account that you tried to reach does not exist.\n  Please try"
    )
    assert (
        result.reason == "RCPT 550 5.1.1 The email account that you tried to reach does not exist. Please try"
    )
