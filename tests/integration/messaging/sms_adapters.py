"""Running an SMS adapter in the SMS tests: built from its settings, used in one event loop, closed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from retentio.messaging.channels.port import Outgoing, SendResult
from retentio.messaging.channels.sms_http import SmsSettings
from retentio.messaging.channels.smsaero import SmsAero, SmsAeroSettings
from retentio.messaging.channels.smsc import Smsc, SmscSettings
from retentio.messaging.channels.smsru import SmsRu, SmsRuSettings

T = TypeVar("T")
ADAPTERS: dict[type[SmsSettings], Callable[[Any], Any]] = {
    SmsRuSettings: SmsRu,
    SmscSettings: Smsc,
    SmsAeroSettings: SmsAero,
}


def with_adapter(settings: SmsSettings, steps: Callable[[Any], Awaitable[T]]) -> T:
    """``steps`` run on the adapter the settings are for, which is closed after them."""

    async def scenario() -> T:
        adapter = ADAPTERS[type(settings)](settings)
        try:
            return await steps(adapter)
        finally:
            await adapter.close()

    return asyncio.run(scenario())


def send(settings: SmsSettings, outgoing: Outgoing) -> SendResult:
    return with_adapter(settings, lambda adapter: adapter.send(outgoing))
