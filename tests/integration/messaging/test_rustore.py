"""The RuStore push adapter (FCM's shape, a fixed service token) against a fake RuStore."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest
from pydantic import SecretStr
from tests.fakes.fcm import FakeRuStore, error
from tests.fakes.http import Response

from retentio.messaging.channels.mobile_push.channel import MobilePushChannel
from retentio.messaging.channels.mobile_push.rustore import RuStoreSettings, rustore_channel
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult, SendStatus
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.content import ChannelName, Kind, PushBody

T = TypeVar("T")
DEVICE = "rustore-push-token-1"


@pytest.fixture
def fake() -> Iterator[FakeRuStore]:
    with FakeRuStore() as server:
        server.register(DEVICE)
        yield server


def with_channel(
    fake: FakeRuStore, scenario: Callable[[MobilePushChannel], Awaitable[T]], token: str = ""
) -> T:
    settings = RuStoreSettings(
        project_id=fake.project_id, service_token=SecretStr(token or fake.service_token), base_url=fake.url
    )

    async def run() -> T:
        channel = rustore_channel(settings, RateLimit(1000, 1000))
        try:
            return await scenario(channel)
        finally:
            await channel.close()

    return asyncio.run(run())


def push(token: str = DEVICE) -> Outgoing:
    body = PushBody(
        "Бонусы сгорают", "У вас 500 бонусов — потратьте до пятницы", "https://shop.example/bonus"
    )
    return Outgoing("msg-9", ChannelName.PUSH, token, body, Kind.MARKETING)


def send(fake: FakeRuStore, outgoing: Outgoing, token: str = "") -> SendResult:
    return with_channel(fake, lambda channel: channel.send(outgoing), token)


def test_a_push_goes_out_with_the_service_token_and_is_known_by_retentios_id(fake: FakeRuStore) -> None:
    result = send(fake, push())
    assert result == SendResult.sent("msg-9")  # RuStore answers {}: no message name of its own
    [delivered] = fake.delivered
    assert delivered.notification == {
        "title": "Бонусы сгорают",
        "body": "У вас 500 бонусов — потратьте до пятницы",
    }
    assert delivered.data == {"message_id": "msg-9", "kind": "marketing", "url": "https://shop.example/bonus"}
    [request] = fake.requests
    assert request.path == "/v1/projects/rustore-project-1/messages:send"
    assert request.headers["authorization"] == "Bearer rustore-service-token"


def test_a_dead_push_token_is_unreachable(fake: FakeRuStore) -> None:
    fake.unregister(DEVICE)
    assert send(fake, push()) == SendResult.unreachable("RuStore HTTP 404 NOT_FOUND: push token not found")
    fake.force(Response.text(410, "Gone"))
    assert send(fake, push()) == SendResult.unreachable("RuStore HTTP 410")


def test_a_wrong_service_token_fails_at_once_and_names_the_setting(fake: FakeRuStore) -> None:
    result = send(fake, push(), token="wrong")
    assert result == SendResult.failed(
        "RuStore HTTP 401 UNAUTHENTICATED: invalid service token (check channels.rustore.service_token)"
    )
    assert len(fake.requests) == 1  # a fixed token cannot be renewed: no second try


def test_a_429_or_a_5xx_is_a_retry(fake: FakeRuStore) -> None:
    throttled = error(429, "RESOURCE_EXHAUSTED", "too many requests")
    fake.force(
        Response(429, throttled.body, {**throttled.headers, "Retry-After": "12"}),
        Response.text(502, "Bad Gateway"),
    )

    async def two(channel: MobilePushChannel) -> list[SendResult]:
        return [await channel.send(push()), await channel.send(push())]

    first, second = with_channel(fake, two)
    assert (first.status, first.retry_after) == (SendStatus.RETRY, 12)
    assert second == SendResult.retry("RuStore HTTP 502")


def test_check_passes_with_the_right_token_and_names_a_wrong_one(fake: FakeRuStore) -> None:
    with_channel(fake, lambda channel: channel.check())
    assert fake.delivered == []
    with pytest.raises(ChannelNotReady, match=r"RuStore refuses channels\.rustore\.service_token"):
        with_channel(fake, lambda channel: channel.check(), token="wrong")
    with fake.down(), pytest.raises(ChannelNotReady, match=r"RuStore is out of reach \(channels\.rustore\)"):
        with_channel(fake, lambda channel: channel.check())
