"""A fixed number of SMTP connections, opened when first needed and reused from send to send.

Opening a connection costs a TCP and often a TLS handshake, EHLO and AUTH: five round trips or more
before the first message. The pool keeps ``size`` of them; a send borrows one and gives it back.
A connection the server has closed meanwhile (idle timeout, a restart) is noticed when it is
borrowed and replaced; one that has carried ``messages_per_connection`` messages is renewed, as
servers limit messages per connection. The pool belongs to one event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiosmtplib import SMTP

from retentio.messaging.channels.email.smtp_client import hang_up


class Pooled:
    """A connection and how many messages it carried."""

    __slots__ = ("sent", "smtp")

    def __init__(self, smtp: SMTP) -> None:
        self.smtp = smtp
        self.sent = 0


class SmtpPool:
    def __init__(
        self, connect: Callable[[], Awaitable[SMTP]], size: int, messages_per_connection: int
    ) -> None:
        self._connect = connect
        self._limit = messages_per_connection
        # One entry per connection allowed: an open connection, or None where one may be opened.
        self._slots: asyncio.Queue[Pooled | None] = asyncio.Queue()
        for _ in range(size):
            self._slots.put_nowait(None)
        self._closed = False

    async def borrow(self) -> Pooled:
        """An open connection, waiting while all are busy; raises what connecting raises. The place
        is given back whatever happens, a cancellation included, so the pool never shrinks."""
        slot = await self._slots.get()
        try:
            return await self._usable(slot)
        except BaseException:
            if slot is not None:
                slot.smtp.close()
            self._slots.put_nowait(None)
            raise

    async def _usable(self, slot: Pooled | None) -> Pooled:
        if slot is not None and (not slot.smtp.is_connected or slot.sent >= self._limit):
            await hang_up(slot.smtp)
            slot = None
        return slot if slot is not None else Pooled(await self._connect())

    def give_back(self, slot: Pooled) -> None:
        if self._closed:
            slot.smtp.close()
            self._slots.put_nowait(None)
        else:
            self._slots.put_nowait(slot)

    def discard(self, slot: Pooled) -> None:
        """The connection is in an unknown state (a drop, a timeout): close it, free its place."""
        slot.smtp.close()
        self._slots.put_nowait(None)

    async def close(self) -> None:
        """Say QUIT on the idle connections; busy ones are closed when given back."""
        self._closed = True
        idle: list[Pooled | None] = []
        while not self._slots.empty():
            idle.append(self._slots.get_nowait())
        for slot in idle:
            if slot is not None:
                await hang_up(slot.smtp)
            self._slots.put_nowait(None)
