"""Priorities (COM-7): which of a customer's competing messages take the room the caps have left.

The higher priority goes first; among equals the one due earlier, then the smaller id, so the same
messages always split the same way. Transactional messages are never capped: they all go and take
no room. The ones left over are deferred (``decide`` then finds when the caps have room again)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from retentio.messaging.content import Kind
from retentio.messaging.decide.message import Message


class Split(NamedTuple):
    go: tuple[Message, ...]  # in the order to send
    deferred: tuple[Message, ...]


def split_by_priority(pending: Iterable[Message], room: int | None) -> Split:
    """``room``: how many more messages the caps let through now (``caps.room_left``; None: no cap)."""
    ordered = sorted(pending, key=_precedence)
    go = [message for message in ordered if message.kind is Kind.TRANSACTIONAL]
    capped = [message for message in ordered if message.kind is not Kind.TRANSACTIONAL]
    taken = len(capped) if room is None else max(room, 0)
    return Split((*go, *capped[:taken]), tuple(capped[taken:]))


def _precedence(message: Message) -> tuple[int, object, str]:
    return (-message.priority, message.due_at, message.id)
