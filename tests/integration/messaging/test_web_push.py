"""The Web Push adapter against a fake push service that checks VAPID and decrypts the payload."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr, ValidationError
from tests.fakes.http import Response
from tests.fakes.webpush import FakePushService, FakeSubscription, b64

from retentio.clock import FixedClock, SystemClock
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult, SendStatus
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.channels.web_push import WebPushChannel, WebPushSettings
from retentio.messaging.content import ChannelName, Kind, PushBody, TextBody

T = TypeVar("T")
VAPID_KEY = ec.generate_private_key(ec.SECP256R1())
VAPID_PRIVATE = b64(VAPID_KEY.private_numbers().private_value.to_bytes(32, "big"))
VAPID_PUBLIC = b64(
    VAPID_KEY.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
)


@pytest.fixture
def service() -> Iterator[FakePushService]:
    with FakePushService() as fake:
        yield fake


def settings(**changes: object) -> WebPushSettings:
    values: dict[str, object] = {
        "vapid_private_key": SecretStr(VAPID_PRIVATE),
        "vapid_subject": "mailto:push@shop.example",
        "allow_plain_http": True,  # the fake is plain http on 127.0.0.1
        **changes,
    }
    return WebPushSettings.model_validate(values)


def with_channel(
    scenario: Callable[[WebPushChannel], Awaitable[T]], clock: FixedClock | None = None, **changes: object
) -> T:
    async def run() -> T:
        channel = WebPushChannel(settings(**changes), clock or SystemClock(), RateLimit(1000, 1000))
        try:
            return await scenario(channel)
        finally:
            await channel.close()

    return asyncio.run(run())


def push(
    subscription: FakeSubscription | str,
    kind: Kind = Kind.MARKETING,
    text: str = "Новая коллекция уже в магазине",
) -> Outgoing:
    recipient = subscription if isinstance(subscription, str) else subscription.to_json()
    body = PushBody("Весна пришла", text, "https://shop.example/new", "https://shop.example/spring.png")
    return Outgoing("msg-5", ChannelName.WEB_PUSH, recipient, body, kind)


def send(outgoing: Outgoing, **changes: object) -> SendResult:
    return with_channel(lambda channel: channel.send(outgoing), **changes)


def test_the_browser_decrypts_the_notification_signed_by_the_shop(service: FakePushService) -> None:
    # given
    subscription = service.subscribe(VAPID_PUBLIC)
    # when
    result = send(push(subscription), ttl_seconds=7200)
    # then
    [pushed] = service.pushed
    assert result == SendResult.sent(f"{service.url}/message/1")
    assert pushed.json() == {
        "title": "Весна пришла",
        "body": "Новая коллекция уже в магазине",
        "message_id": "msg-5",
        "kind": "marketing",
        "url": "https://shop.example/new",
        "image": "https://shop.example/spring.png",
    }
    assert (pushed.ttl, pushed.urgency) == (7200, "normal")
    assert pushed.claims["sub"] == "mailto:push@shop.example"
    assert pushed.claims["aud"] == service.url


def test_a_transactional_message_is_urgent(service: FakePushService) -> None:
    send(push(service.subscribe(VAPID_PUBLIC), Kind.TRANSACTIONAL))
    assert service.pushed[0].urgency == "high"


def test_the_vapid_header_is_signed_once_per_push_service_and_again_before_it_expires(
    service: FakePushService,
) -> None:
    subscription = service.subscribe(VAPID_PUBLIC)
    clock = FixedClock(SystemClock().now())

    async def three(channel: WebPushChannel) -> None:
        await channel.send(push(subscription))
        await channel.send(push(subscription))
        clock.advance(timedelta(hours=11, minutes=1))
        await channel.send(push(subscription))

    with_channel(three, clock)
    first, second, third = (request.headers["authorization"] for request in service.requests)
    assert first == second != third
    assert len(service.pushed) == 3


def test_an_expired_or_unknown_subscription_is_unreachable(service: FakePushService) -> None:
    subscription = service.subscribe(VAPID_PUBLIC)
    service.expire(subscription)
    gone = send(push(subscription))
    unknown = send(push(subscription.to_json().replace("/push/1", "/push/99")))
    assert gone == SendResult.unreachable("web push HTTP 410 push subscription has unsubscribed or expired")
    assert unknown == SendResult.unreachable("web push HTTP 404 no such subscription")


def test_a_subscription_made_for_another_key_fails_and_names_the_vapid_setting(
    service: FakePushService,
) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    subscription = service.subscribe(
        b64(other.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    )
    result = send(push(subscription))
    assert result.status is SendStatus.FAILED
    assert result.reason.startswith(
        "web push HTTP 403 the VAPID key is not the one the subscription was made with"
    )
    assert "channels.web_push.vapid_private_key" in result.reason


def test_a_429_is_a_retry_after_its_seconds_and_a_413_fails(service: FakePushService) -> None:
    subscription = service.subscribe(VAPID_PUBLIC)
    service.force(
        Response.text(429, "slow down", {"Retry-After": "60"}), Response.text(413, "payload too large")
    )
    throttled, too_large = send(push(subscription)), send(push(subscription))
    assert (throttled.status, throttled.retry_after) == (SendStatus.RETRY, 60)
    assert too_large == SendResult.failed("web push HTTP 413 payload too large")


def test_a_payload_no_push_service_must_take_fails_before_sending(service: FakePushService) -> None:
    result = send(push(service.subscribe(VAPID_PUBLIC), text="ж" * 2500))
    assert result.status is SendStatus.FAILED
    assert "push services take 3993" in result.reason
    assert service.requests == []


@pytest.mark.parametrize(
    ("recipient", "words"),
    [
        ("not json", "not JSON"),
        ('{"keys": {}}', "no endpoint"),
        ('{"endpoint": "https://push.example/1"}', "no p256dh and auth keys"),
        (
            '{"endpoint": "ftp://push.example/1", "keys": {"p256dh": "x", "auth": "y"}}',
            "not an https or http URL",
        ),
        (
            '{"endpoint": "https://[::1/push", "keys": {"p256dh": "x", "auth": "y"}}',
            "not an https or http URL",
        ),
        (
            '{"endpoint": "https://push.example/1", "keys": {"p256dh": "AAAA", "auth": "y"}}',
            "keys are unusable",
        ),
    ],
)
def test_a_subscription_that_cannot_be_used_is_unreachable_without_a_request(
    service: FakePushService, recipient: str, words: str
) -> None:
    result = send(push(recipient))
    assert result.status is SendStatus.UNREACHABLE
    assert words in result.reason
    assert service.requests == []


def test_plain_http_endpoints_are_refused_by_default(service: FakePushService) -> None:
    result = send(push(service.subscribe(VAPID_PUBLIC)), allow_plain_http=False)
    assert result == SendResult.unreachable("the web push endpoint is not an https URL")


def test_a_push_service_out_of_reach_is_a_retry(service: FakePushService) -> None:
    subscription = service.subscribe(VAPID_PUBLIC)
    with service.down():
        result = send(push(subscription))
    assert result.status is SendStatus.RETRY


def test_a_text_body_fails(service: FakePushService) -> None:
    outgoing = Outgoing(
        "m", ChannelName.WEB_PUSH, service.subscribe(VAPID_PUBLIC).to_json(), TextBody("x"), Kind.TRIGGER
    )
    assert send(outgoing).status is SendStatus.FAILED


def test_the_key_may_be_a_pem_and_the_channel_gives_the_sites_application_server_key(
    service: FakePushService,
) -> None:
    pem = VAPID_KEY.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    subscription = service.subscribe(VAPID_PUBLIC)

    async def key_and_send(channel: WebPushChannel) -> tuple[str, SendResult]:
        await channel.check()
        return channel.application_server_key, await channel.send(push(subscription))

    key, result = with_channel(key_and_send, vapid_private_key=SecretStr(pem))
    assert key == VAPID_PUBLIC
    assert result.status is SendStatus.SENT


def test_a_bad_key_or_subject_is_named() -> None:
    with pytest.raises(
        ChannelNotReady, match=r"channels\.web_push\.vapid_private_key is not a VAPID private key"
    ):
        WebPushChannel(settings(vapid_private_key=SecretStr("not-a-key")))
    with pytest.raises(ValidationError, match="vapid_subject must be a mailto: or https: URL"):
        settings(vapid_subject="push@shop.example")
