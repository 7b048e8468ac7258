"""Push to every device: one message to a customer goes to each of their live devices of the
channel's platforms (every app token for mobile push, every browser subscription for web push),
concurrently, each through the provider's adapter and its rate limit.

The message's ``recipient`` is the customer's id; the devices are read when it is sent. Each
device's answer is recorded as it comes, in its own transaction: an accepted send in
``push_sends`` (so a resend after a crash skips it, and a report about that device finds the
message), a dead token by removing the device with the provider's words (the others still get the
message; a removed device is never sent to again). The message is sent when one device accepted
it, and failed or unreachable only when every device was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection, Engine, select

from retentio.clock import Clock
from retentio.customers import PushDevice, live_push_devices, remove_push_devices
from retentio.db.retry import in_transaction
from retentio.messaging.channels.port import Channel, ChannelNotReady, Outgoing, SendResult, SendStatus
from retentio.messaging.channels.rate import RateLimited
from retentio.messaging.content import ChannelName
from retentio.messaging.push_sends import accepted_devices, record_push_send
from retentio.messaging.tables import push_sends


class DevicePush:
    """A push adapter (FCM, RuStore, Web Push) sending to each of a customer's devices."""

    def __init__(self, adapter: Channel, engine: Engine, clock: Clock, platforms: Sequence[str]) -> None:
        self._adapter = adapter
        self._engine = engine
        self._clock = clock
        self._platforms = tuple(platforms)

    @property
    def name(self) -> ChannelName:
        return self._adapter.name

    async def check(self) -> None:
        await self._adapter.check()
        try:
            await asyncio.to_thread(self._read_one)
        except Exception as error:
            raise ChannelNotReady(
                f"the push devices cannot be read ({type(error).__name__}); run `retentio db upgrade`"
            ) from None

    async def send(self, outgoing: Outgoing) -> SendResult:
        customer_id = outgoing.recipient
        devices, accepted = await asyncio.to_thread(self._devices, customer_id, outgoing.message_id)
        pending = [device for device in devices if device.id not in accepted]
        if not pending and not accepted:
            return SendResult.unreachable(f"customer {customer_id} has no live {self.name.value} device")
        answers = await asyncio.gather(*(self._send_to(outgoing, device) for device in pending))
        return combined(list(accepted.values()), answers)

    async def close(self) -> None:
        await self._adapter.close()

    async def _send_to(self, outgoing: Outgoing, device: PushDevice) -> SendResult:
        try:
            result = await self._adapter.send(replace(outgoing, recipient=device.address))
        except RateLimited as limited:
            return SendResult.retry(str(limited), retry_after=limited.retry_after)
        except Exception as error:  # one device's trouble must not lose the others' answers
            return SendResult.retry(f"{type(error).__name__}: {error}")
        now = self._clock.now()
        if result.status is SendStatus.SENT:
            provider_id = result.provider_id or outgoing.message_id

            def record(connection: Connection) -> None:
                record_push_send(connection, outgoing.message_id, device.id, provider_id, now)

            await asyncio.to_thread(in_transaction, self._engine, record)
        elif result.status is SendStatus.UNREACHABLE:
            removal = [(device.id, result.reason or "dead token")]

            def remove(connection: Connection) -> None:
                remove_push_devices(connection, removal, now)

            await asyncio.to_thread(in_transaction, self._engine, remove)
        return result

    def _devices(self, customer_id: str, message_id: str) -> tuple[list[PushDevice], dict[int, str]]:
        with self._engine.connect() as connection:
            devices = live_push_devices(connection, [customer_id], self._platforms).get(customer_id, [])
            return devices, accepted_devices(connection, message_id)

    def _read_one(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(select(push_sends.c.message_id).limit(1)).all()


def combined(already: Sequence[str], answers: Sequence[SendResult]) -> SendResult:
    """One answer for the message from its devices' (``already``: the provider ids of devices that
    took it on an earlier run). Sent when one device took it; else a retry when one may take it later;
    else failed when the message itself was refused; else unreachable: every device is gone."""
    provider_ids = [*already, *(answer.provider_id for answer in answers if answer.status is SendStatus.SENT)]
    words = "; ".join(f"{answer.status.value}: {answer.reason}" for answer in answers if answer.reason)
    if provider_ids:
        total = len(already) + len(answers)
        summary = f"{len(provider_ids)} of {total} devices" + (f" ({words})" if words else "")
        return SendResult(SendStatus.SENT, provider_id=provider_ids[0], reason=summary)
    retries = [answer for answer in answers if answer.status is SendStatus.RETRY]
    if retries:
        waits = [answer.retry_after for answer in retries if answer.retry_after is not None]
        return SendResult.retry(words, max(waits) if waits else None)
    if any(answer.status is SendStatus.FAILED for answer in answers):
        return SendResult.failed(words)
    return SendResult.unreachable(f"every device is gone: {words}")
