"""The channels' event loop: one thread with one asyncio loop for the worker's lifetime, so pooled
SMTP and HTTP connections outlive a batch; the worker's (synchronous) due work hands it a batch of
sends and waits for their answers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future

from retentio.messaging.channels.port import Channel, Outgoing, Polled, ReportsByPolling, SendResult
from retentio.messaging.channels.rate import RateLimited
from retentio.messaging.content import ChannelName


class ChannelLoop:
    def __init__(self, channels: Mapping[ChannelName, Channel]) -> None:
        self.channels = dict(channels)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="channels", daemon=True)
        self._thread.start()

    def send_all(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        """Send each concurrently on its channel; the answers in the same order. A channel that is
        not configured, or an adapter that raises, gives a classified answer, never an exception."""
        return self.start_sending(outgoing).result()

    def start_sending(self, outgoing: Sequence[Outgoing]) -> Future[list[SendResult]]:
        """``send_all`` without waiting: the answers come in the returned future, so the caller can
        record the previous answers meanwhile."""
        return asyncio.run_coroutine_threadsafe(self._send_all(outgoing), self._loop)

    def polled_channels(self) -> frozenset[ChannelName]:
        """The channels whose delivery reports the worker asks for (``reports_polling``)."""
        return frozenset(
            name
            for name, channel in self.channels.items()
            if isinstance(channel, ReportsByPolling) and channel.poll_reports
        )

    def poll(self, channel: ChannelName, provider_ids: Sequence[str]) -> Polled:
        """Ask ``channel``'s provider about these messages; an adapter that raises, or a channel that
        no longer polls, leaves every one unknown with the reason, never an exception."""
        return asyncio.run_coroutine_threadsafe(self._poll(channel, provider_ids), self._loop).result()

    def check_all(self) -> dict[ChannelName, str | None]:
        """Each channel's ``check``: None when it works, else the reason it does not."""
        return asyncio.run_coroutine_threadsafe(self._check_all(), self._loop).result()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close_all(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _send_all(self, outgoing: Sequence[Outgoing]) -> list[SendResult]:
        return list(await asyncio.gather(*(self._send(item) for item in outgoing)))

    async def _send(self, item: Outgoing) -> SendResult:
        channel = self.channels.get(item.channel)
        if channel is None:
            return SendResult.failed(f"channel {item.channel.value} is not configured")
        try:
            return await channel.send(item)
        except RateLimited as limited:
            return SendResult.retry(str(limited), retry_after=limited.retry_after)
        except Exception as error:  # an adapter's bug must not lose the batch's other answers
            return SendResult.retry(f"{type(error).__name__}: {error}")

    async def _poll(self, name: ChannelName, provider_ids: Sequence[str]) -> Polled:
        channel = self.channels.get(name)
        if not isinstance(channel, ReportsByPolling):
            return Polled(unknown=dict.fromkeys(provider_ids, f"channel {name.value} does not poll reports"))
        try:
            return await channel.poll(provider_ids)
        except Exception as error:  # an adapter's bug: asked again later, the worker goes on
            return Polled(unknown=dict.fromkeys(provider_ids, f"{type(error).__name__}: {error}"))

    async def _check_all(self) -> dict[ChannelName, str | None]:
        async def check(channel: Channel) -> str | None:
            try:
                await channel.check()
            except Exception as error:
                return str(error) or type(error).__name__
            return None

        names = list(self.channels)
        answers = await asyncio.gather(*(check(self.channels[name]) for name in names))
        return dict(zip(names, answers, strict=True))

    async def _close_all(self) -> None:
        await asyncio.gather(*(channel.close() for channel in self.channels.values()), return_exceptions=True)
