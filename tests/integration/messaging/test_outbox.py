"""The outbox channel writes what would be sent, one JSON line per message, into a real file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from retentio.messaging.channels.outbox import OutboxChannel, OutboxSettings
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult
from retentio.messaging.content import ChannelName, EmailBody, Kind, PushBody, TextBody


def send_all(path: Path, *messages: Outgoing) -> list[SendResult]:
    channel = OutboxChannel(OutboxSettings(path=path))

    async def run() -> list[SendResult]:
        await channel.check()
        results = list(await asyncio.gather(*(channel.send(message) for message in messages)))
        await channel.close()
        return results

    return asyncio.run(run())


def test_each_message_is_one_json_line_with_its_russian_text_intact(tmp_path: Path) -> None:
    # given
    path = tmp_path / "outbox.jsonl"
    email = Outgoing(
        "m-1",
        ChannelName.EMAIL,
        "anna@example.ru",
        EmailBody("Ваш заказ", "Спасибо за покупку!", "<p>Спасибо за покупку!</p>"),
        Kind.TRANSACTIONAL,
        unsubscribe_url="https://shop.example/u/1",
    )
    sms = Outgoing("m-2", ChannelName.SMS, "+79001234567", TextBody("Код: 1234"), Kind.TRANSACTIONAL)
    push = Outgoing(
        "m-3", ChannelName.PUSH, "token-1", PushBody("Скидка", "10 %", "https://s.example"), Kind.MARKETING
    )
    # when
    results = send_all(path, email, sms, push)
    # then
    assert results == [SendResult.sent("m-1"), SendResult.sent("m-2"), SendResult.sent("m-3")]
    text = path.read_text(encoding="utf-8")
    assert "Спасибо за покупку!" in text  # written as UTF-8, not \u escapes
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0] == {
        "channel": "email",
        "recipient": "anna@example.ru",
        "body": {
            "type": "email",
            "subject": "Ваш заказ",
            "text": "Спасибо за покупку!",
            "html": "<p>Спасибо за покупку!</p>",
        },
        "message_id": "m-1",
        "kind": "transactional",
        "unsubscribe_url": "https://shop.example/u/1",
    }
    assert lines[1]["body"] == {"type": "text", "text": "Код: 1234", "url": None}
    assert lines[2]["body"]["type"] == "push"
    assert [line["message_id"] for line in lines] == ["m-1", "m-2", "m-3"]


def test_a_file_that_cannot_be_written_is_named_at_check(tmp_path: Path) -> None:
    channel = OutboxChannel(OutboxSettings(path=tmp_path / "no-such-dir" / "outbox.jsonl"))
    with pytest.raises(ChannelNotReady, match=r"cannot write channels\.outbox\.path"):
        asyncio.run(channel.check())
