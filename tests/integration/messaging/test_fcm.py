"""The FCM adapter against a fake FCM (token endpoint and messages:send) over a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from tests.conftest import NOW
from tests.fakes.fcm import FakeFcm, bad_request, error
from tests.fakes.http import Response

from retentio.clock import FixedClock
from retentio.messaging.channels.mobile_push.channel import MobilePushChannel
from retentio.messaging.channels.mobile_push.fcm import FcmSettings, fcm_channel
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult, SendStatus
from retentio.messaging.channels.rate import RateLimit
from retentio.messaging.content import ChannelName, Kind, PushBody, TextBody

T = TypeVar("T")
DEVICE = "fcm-device-token-1"
KEY_SETTING = "channels.fcm.service_account_json"


@pytest.fixture
def fake() -> Iterator[FakeFcm]:
    with FakeFcm() as server:
        server.register(DEVICE)
        yield server


def settings_for(fake: FakeFcm, **changes: object) -> FcmSettings:
    values: dict[str, object] = {
        "service_account_json": SecretStr(fake.service_account_json()),
        "base_url": fake.url,
        **changes,
    }
    return FcmSettings.model_validate(values)


def with_channel(
    settings: FcmSettings,
    scenario: Callable[[MobilePushChannel], Awaitable[T]],
    clock: FixedClock | None = None,
) -> T:
    async def run() -> T:
        channel = fcm_channel(settings, clock or FixedClock(NOW), RateLimit(1000, 1000))
        try:
            return await scenario(channel)
        finally:
            await channel.close()

    return asyncio.run(run())


def push(token: str = DEVICE, url: str | None = "https://shop.example/cart") -> Outgoing:
    body = PushBody(
        "Корзина ждёт", "Вы забыли 2 товара — оформите заказ со скидкой", url, "https://shop.example/i.png"
    )
    return Outgoing("msg-3", ChannelName.PUSH, token, body, Kind.TRIGGER)


def send(fake: FakeFcm, outgoing: Outgoing, **changes: object) -> SendResult:
    return with_channel(settings_for(fake, **changes), lambda channel: channel.send(outgoing))


def test_a_push_goes_out_with_a_token_from_the_service_account_and_the_russian_text_intact(
    fake: FakeFcm,
) -> None:
    # when
    result = send(fake, push())
    # then
    [delivered] = fake.delivered
    assert result == SendResult.sent(delivered.name)
    assert delivered.name.startswith("projects/retentio-shop/messages/")
    assert delivered.token == DEVICE
    assert delivered.notification == {
        "title": "Корзина ждёт",
        "body": "Вы забыли 2 товара — оформите заказ со скидкой",
        "image": "https://shop.example/i.png",
    }
    assert delivered.data == {"message_id": "msg-3", "kind": "trigger", "url": "https://shop.example/cart"}
    assert delivered.android is None
    token_request, send_request = fake.requests
    assert token_request.path == "/token"
    assert send_request.path == "/v1/projects/retentio-shop/messages:send"
    assert send_request.headers["authorization"] == "Bearer ya29.fake-1"


def test_the_ttl_setting_becomes_androids_ttl(fake: FakeFcm) -> None:
    send(fake, push(), ttl_seconds=3600)
    assert fake.delivered[0].android == {"ttl": "3600s"}


def test_the_access_token_is_kept_until_shortly_before_it_expires(fake: FakeFcm) -> None:
    # given
    clock = FixedClock(NOW)

    async def three_sends(channel: MobilePushChannel) -> list[SendResult]:
        results = [await channel.send(push()), await channel.send(push())]
        clock.advance(timedelta(minutes=56))  # the token lives 3599 s; it is renewed 5 minutes early
        results.append(await channel.send(push()))
        return results

    # when
    results = with_channel(settings_for(fake), three_sends, clock)
    # then
    assert [result.status for result in results] == [SendStatus.SENT] * 3
    assert fake.grants == 2
    assert [request.path for request in fake.requests].count("/token") == 2


def test_a_refused_token_is_replaced_once_and_the_message_goes_out(fake: FakeFcm) -> None:
    async def revoked_between_sends(channel: MobilePushChannel) -> SendResult:
        await channel.send(push())
        fake.revoke_access_tokens()
        return await channel.send(push())

    result = with_channel(settings_for(fake), revoked_between_sends)
    assert result.status is SendStatus.SENT
    assert fake.grants == 2
    assert [request.path for request in fake.requests][-3:] == [
        "/v1/projects/retentio-shop/messages:send",
        "/token",
        "/v1/projects/retentio-shop/messages:send",
    ]


def test_a_401_even_with_a_fresh_token_is_a_retry(fake: FakeFcm) -> None:
    unauthenticated = error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
    fresh_token = Response.json(
        200, {"access_token": "ya29.forced", "expires_in": 3599, "token_type": "Bearer"}
    )
    fake.force(Response.json(200, {"access_token": "ya29.first", "expires_in": 3599}), unauthenticated)
    fake.force(fresh_token, unauthenticated)
    result = send(fake, push())
    assert result.status is SendStatus.RETRY
    assert result.reason == (
        "FCM HTTP 401 UNAUTHENTICATED: Request had invalid authentication credentials. "
        f"(even with a fresh token from {KEY_SETTING})"
    )


def test_a_removed_app_or_a_token_that_was_never_valid_is_unreachable(fake: FakeFcm) -> None:
    fake.unregister(DEVICE)
    assert send(fake, push()) == SendResult.unreachable(
        "FCM HTTP 404 UNREGISTERED: Requested entity was not found."
    )
    invalid = send(fake, push(token="garbage-token"))
    assert invalid == SendResult.unreachable(
        "FCM HTTP 400 INVALID_ARGUMENT: The registration token is not a valid FCM registration token"
    )
    assert fake.delivered == []


def test_an_invalid_field_of_the_message_fails_it_but_an_invalid_token_field_is_the_contacts(
    fake: FakeFcm,
) -> None:
    fake.force(Response.json(200, {"access_token": "ya29.a", "expires_in": 3599}))
    fake.force(bad_request("message.notification.image", "Invalid image URL"))
    fake.force(bad_request("message.token", "Invalid registration token"))
    results = with_channel(settings_for(fake), _two)
    assert [result.status for result in results] == [SendStatus.FAILED, SendStatus.UNREACHABLE]


async def _two(channel: MobilePushChannel) -> list[SendResult]:
    return [await channel.send(push()), await channel.send(push())]


def test_quota_and_unavailable_are_retries_honouring_retry_after(fake: FakeFcm) -> None:
    fake.force(Response.json(200, {"access_token": "ya29.a", "expires_in": 3599}))
    quota = error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", fcm_error="QUOTA_EXCEEDED")
    fake.force(Response(quota.status, quota.body, {**quota.headers, "Retry-After": "30"}))
    fake.force(error(503, "UNAVAILABLE", "The service is currently unavailable.", fcm_error="UNAVAILABLE"))
    first, second = with_channel(settings_for(fake), _two)
    assert (first.status, first.retry_after) == (SendStatus.RETRY, 30)
    assert first.reason == "FCM HTTP 429 QUOTA_EXCEEDED: Quota exceeded"
    assert (second.status, second.retry_after) == (SendStatus.RETRY, None)


def test_fcm_out_of_reach_is_a_retry(fake: FakeFcm) -> None:
    with fake.down():
        result = send(fake, push())
    assert result.status is SendStatus.RETRY
    assert "cannot reach" in result.reason


def test_a_key_google_refuses_fails_the_message_and_names_the_setting(fake: FakeFcm) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    result = send(fake, push(), service_account_json=SecretStr(fake.service_account_json(other_key)))
    assert result == SendResult.failed(
        f"Google refuses the service account in {KEY_SETTING}: HTTP 400 invalid_grant: Invalid JWT Signature."
    )
    assert fake.delivered == []


def test_a_body_without_a_title_fails_without_calling_fcm(fake: FakeFcm) -> None:
    outgoing = Outgoing("msg-3", ChannelName.PUSH, DEVICE, TextBody("текст"), Kind.TRIGGER)
    assert send(fake, outgoing).status is SendStatus.FAILED
    assert fake.requests == []


def test_check_gets_a_token_and_validates_a_message_without_delivering_it(fake: FakeFcm) -> None:
    fake.register("retentio-check-not-a-device")
    with_channel(settings_for(fake), lambda channel: channel.check())
    assert fake.grants == 1
    assert len(fake.validated) == 1
    assert fake.delivered == []


def test_check_accepts_fcm_refusing_the_made_up_device_token(fake: FakeFcm) -> None:
    with_channel(settings_for(fake), lambda channel: channel.check())  # 400 INVALID_ARGUMENT: fine


def test_check_names_the_key_or_the_project_that_is_wrong(fake: FakeFcm) -> None:
    fake.refuse_grants()
    with pytest.raises(ChannelNotReady, match=f"Google refuses the service account in {KEY_SETTING}"):
        with_channel(settings_for(fake), lambda channel: channel.check())
    fake2_settings = settings_for(fake, project_id="someone-elses-project")
    fake._refusing_grants = False
    with pytest.raises(
        ChannelNotReady, match=f"FCM refuses {KEY_SETTING} for project 'someone-elses-project'"
    ):
        with_channel(fake2_settings, lambda channel: channel.check())


def test_an_unreadable_key_is_named_when_the_channel_is_made(tmp_path: Path) -> None:
    with pytest.raises(ChannelNotReady, match=r"cannot read channels\.fcm\.service_account_file"):
        fcm_channel(FcmSettings(service_account_file=tmp_path / "missing.json"))
    with pytest.raises(ChannelNotReady, match=f"{KEY_SETTING} is not JSON"):
        fcm_channel(FcmSettings(service_account_json=SecretStr("{not json")))
    with pytest.raises(ChannelNotReady, match="is not a service account key"):
        fcm_channel(FcmSettings(service_account_json=SecretStr('{"type": "authorized_user"}')))


def test_the_key_comes_from_a_file_or_from_text_not_both(fake: FakeFcm, tmp_path: Path) -> None:
    key_file = tmp_path / "key.json"
    key_file.write_text(fake.service_account_json(), encoding="utf-8")
    result = with_channel(
        FcmSettings(service_account_file=key_file, base_url=fake.url), lambda channel: channel.send(push())
    )
    assert result.status is SendStatus.SENT
    with pytest.raises(ValueError, match="give one of"):
        FcmSettings(service_account_file=key_file, service_account_json=SecretStr("{}"))
