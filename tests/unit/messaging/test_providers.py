from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from retentio.clock import FixedClock
from retentio.messaging.channels.email import EmailChannel
from retentio.messaging.channels.onsite import OnsiteChannel
from retentio.messaging.channels.outbox import OutboxChannel
from retentio.messaging.channels.providers import Wiring, build_channels
from retentio.messaging.config import ChannelConfig, MessagingConfig, MessagingConfigError
from retentio.messaging.content import ChannelName

WIRING = Wiring(create_engine("sqlite://"), FixedClock(datetime(2026, 12, 6, tzinfo=UTC)))


def _config(**channels: ChannelConfig) -> MessagingConfig:
    return MessagingConfig(channels)


def test_configured_channels_are_built_and_the_onsite_inbox_is_always_there(tmp_path: Path) -> None:
    config = _config(
        email=ChannelConfig(
            "smtp", {"host": "127.0.0.1", "port": 2525, "security": "none", "from_address": "shop@example.ru"}
        ),
        outbox=ChannelConfig("outbox", {"path": str(tmp_path / "out.jsonl")}),
    )
    channels = build_channels(config, WIRING)
    assert isinstance(channels[ChannelName.EMAIL], EmailChannel)
    assert isinstance(channels[ChannelName.OUTBOX], OutboxChannel)
    assert isinstance(channels[ChannelName.ONSITE], OnsiteChannel)


def test_a_section_may_be_named_by_its_provider() -> None:
    channels = build_channels(_config(smsru=ChannelConfig(None, {"api_id": "key"})), WIRING)
    assert type(channels[ChannelName.SMS]).__name__ == "SmsRu"


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            _config(email=ChannelConfig("mailgun", {})),
            r"\[channels.email\] provider 'mailgun' is unknown: one of smtp",
        ),
        (_config(sms=ChannelConfig("smtp", {"from_address": "a@b.ru"})), "provider 'smtp' serves email"),
        (
            _config(email=ChannelConfig("smtp", {"host": "x"})),
            r"\[channels.email\] from_address: Field required",
        ),
        (_config(email=ChannelConfig("smtp", {"from_address": "a@b.ru", "hots": "x"})), "hots: Extra inputs"),
    ],
)
def test_a_channel_that_cannot_be_built_names_its_key(config: MessagingConfig, problem: str) -> None:
    with pytest.raises(MessagingConfigError, match=problem):
        build_channels(config, WIRING)
