"""The outbox channel: each message that would be sent becomes one JSON line in a file, for trying
templates, cascades and timing without a provider (``tail -f`` the file)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult
from retentio.messaging.content import ChannelName, EmailBody, PushBody

SETTING = "channels.outbox.path"


class OutboxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Path("outbox.jsonl")


class OutboxChannel:
    def __init__(self, settings: OutboxSettings) -> None:
        self._path = settings.path
        self._lock = asyncio.Lock()  # one line at a time, in the order sends come

    @property
    def name(self) -> ChannelName:
        return ChannelName.OUTBOX

    async def check(self) -> None:
        try:
            await asyncio.to_thread(self._append, "")
        except OSError as error:
            raise ChannelNotReady(f"cannot write {SETTING} ({self._path}): {error.strerror}") from None

    async def send(self, outgoing: Outgoing) -> SendResult:
        line = json.dumps(outbox_line(outgoing), ensure_ascii=False) + "\n"
        async with self._lock:
            try:
                await asyncio.to_thread(self._append, line)
            except OSError as error:
                return SendResult.retry(f"cannot write {self._path}: {error.strerror}")
        return SendResult.sent(outgoing.message_id)

    async def close(self) -> None:
        pass

    def _append(self, text: str) -> None:
        with self._path.open("a", encoding="utf-8") as file:
            file.write(text)


def outbox_line(outgoing: Outgoing) -> dict[str, Any]:
    """What one line says: the channel the message was for, the recipient, the rendered body (with
    its kind: email, text or push), Retentio's message id and the message's kind."""
    body = outgoing.body
    body_kind = "email" if isinstance(body, EmailBody) else "push" if isinstance(body, PushBody) else "text"
    line: dict[str, Any] = {
        "channel": str(outgoing.channel),
        "recipient": outgoing.recipient,
        "body": {"type": body_kind, **asdict(body)},
        "message_id": outgoing.message_id,
        "kind": str(outgoing.kind),
    }
    if outgoing.unsubscribe_url:
        line["unsubscribe_url"] = outgoing.unsubscribe_url
    if outgoing.sender:
        line["sender"] = outgoing.sender
    return line
