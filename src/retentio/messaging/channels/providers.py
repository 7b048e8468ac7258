"""Every provider an operator may name in the settings file, and the one place that builds the
adapters the worker runs: a channel's settings are checked against its provider's settings model, so
a misspelt key or a missing password is an error naming it before anything is sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine

from retentio.clock import Clock
from retentio.customers import APP_PLATFORMS
from retentio.messaging.channels.devices import DevicePush
from retentio.messaging.channels.email import EmailChannel, EmailSettings
from retentio.messaging.channels.mobile_push.fcm import FcmSettings, fcm_channel
from retentio.messaging.channels.mobile_push.rustore import RuStoreSettings, rustore_channel
from retentio.messaging.channels.onsite import OnsiteChannel, OnsiteSettings
from retentio.messaging.channels.outbox import OutboxChannel, OutboxSettings
from retentio.messaging.channels.port import Channel
from retentio.messaging.channels.smsaero import SmsAero, SmsAeroSettings
from retentio.messaging.channels.smsc import Smsc, SmscSettings
from retentio.messaging.channels.smsru import SmsRu, SmsRuSettings
from retentio.messaging.channels.telegram import TelegramChannel, TelegramSettings
from retentio.messaging.channels.viber import ViberChannel, ViberSettings
from retentio.messaging.channels.web_push import WebPushChannel, WebPushSettings
from retentio.messaging.config import ChannelConfig, MessagingConfig, MessagingConfigError
from retentio.messaging.content import ChannelName


@dataclass(frozen=True, slots=True)
class Wiring:
    """What adapters may need besides their settings: the database (the on-site inbox) and the clock."""

    engine: Engine
    clock: Clock


@dataclass(frozen=True, slots=True)
class Provider:
    channel: ChannelName
    settings: type[BaseModel]
    build: Callable[[Any, Wiring], Channel]


PROVIDERS: Mapping[str, Provider] = {
    "smtp": Provider(ChannelName.EMAIL, EmailSettings, lambda s, w: EmailChannel(s)),
    "smsru": Provider(ChannelName.SMS, SmsRuSettings, lambda s, w: SmsRu(s)),
    "smsc": Provider(ChannelName.SMS, SmscSettings, lambda s, w: Smsc(s)),
    "smsaero": Provider(ChannelName.SMS, SmsAeroSettings, lambda s, w: SmsAero(s)),
    "telegram": Provider(ChannelName.TELEGRAM, TelegramSettings, lambda s, w: TelegramChannel(s)),
    "viber": Provider(ChannelName.VIBER, ViberSettings, lambda s, w: ViberChannel(s)),
    "fcm": Provider(ChannelName.PUSH, FcmSettings, lambda s, w: fcm_channel(s, w.clock)),
    "rustore": Provider(ChannelName.PUSH, RuStoreSettings, lambda s, w: rustore_channel(s)),
    "webpush": Provider(ChannelName.WEB_PUSH, WebPushSettings, lambda s, w: WebPushChannel(s, w.clock)),
    "onsite": Provider(ChannelName.ONSITE, OnsiteSettings, lambda s, w: OnsiteChannel(w.engine, s, w.clock)),
    "outbox": Provider(ChannelName.OUTBOX, OutboxSettings, lambda s, w: OutboxChannel(s)),
}


def resolve(name: str, chosen: ChannelConfig) -> tuple[str, Provider]:
    """The provider a ``[channels.NAME]`` section configures: NAME is a provider, or a channel with
    ``provider = ...`` (which may be left out where the channel has one provider)."""
    if name in PROVIDERS and chosen.provider in (None, name):
        return name, PROVIDERS[name]
    channels = {channel.value: channel for channel in ChannelName}
    if name not in channels:
        known = ", ".join([*channels, *PROVIDERS])
        raise MessagingConfigError(f"unknown section [channels.{name}]: a channel or a provider ({known})")
    channel = channels[name]
    serving = [provider_name for provider_name, p in PROVIDERS.items() if p.channel is channel]
    provider_name = chosen.provider or (serving[0] if len(serving) == 1 else None)
    if provider_name is None:
        raise MessagingConfigError(f"[channels.{name}] needs provider = one of {', '.join(serving)}")
    provider = PROVIDERS.get(provider_name)
    if provider is None:
        raise MessagingConfigError(
            f"[channels.{name}] provider {provider_name!r} is unknown: one of {', '.join(serving)}"
        )
    if provider.channel is not channel:
        raise MessagingConfigError(
            f"[channels.{name}] provider {provider_name!r} serves {provider.channel.value}"
        )
    return provider_name, provider


def build_channels(config: MessagingConfig, wiring: Wiring) -> dict[ChannelName, Channel]:
    """The adapters of the configured channels, plus the on-site inbox, which needs no provider."""
    channels: dict[ChannelName, Channel] = {}
    for name, chosen in config.channels.items():
        _, provider = resolve(name, chosen)
        if provider.channel in channels:
            raise MessagingConfigError(f"[channels.{name}]: {provider.channel.value} is configured twice")
        try:
            settings = provider.settings.model_validate(dict(chosen.settings))
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            raise MessagingConfigError(f"[channels.{name}] {where}: {first['msg']}") from None
        channels[provider.channel] = with_devices(provider.build(settings, wiring), wiring)
    if ChannelName.ONSITE not in channels:
        channels[ChannelName.ONSITE] = OnsiteChannel(wiring.engine, OnsiteSettings(), wiring.clock)
    return channels


# The platforms of the devices each push channel sends to; app tokens of either platform go through
# the one mobile push provider configured.
DEVICE_PLATFORMS = {ChannelName.PUSH: APP_PLATFORMS, ChannelName.WEB_PUSH: ("web",)}


def with_devices(channel: Channel, wiring: Wiring) -> Channel:
    """A push adapter sends to every device of the customer (``devices.DevicePush``)."""
    platforms = DEVICE_PLATFORMS.get(channel.name)
    return channel if platforms is None else DevicePush(channel, wiring.engine, wiring.clock, platforms)
