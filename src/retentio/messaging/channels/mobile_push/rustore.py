"""RuStore push (rustore.ru/help/sdk/push-notifications/send-push-notifications): the same
``messages:send`` as FCM v1 at ``https://vkpns.rustore.ru/v1/projects/{project_id}/messages:send``,
with the project's service token from the RuStore console as the bearer token; a 404 or 410 means
the device's push token is dead."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from retentio.messaging.channels import http_calls
from retentio.messaging.channels.mobile_push.channel import FixedToken, MobilePushChannel, PushProvider
from retentio.messaging.channels.rate import RateLimit

SECTION = "channels.rustore"


class RuStoreSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    project_id: str = Field(min_length=1)
    service_token: SecretStr
    base_url: str = "https://vkpns.rustore.ru"
    ttl_seconds: int | None = Field(default=None, ge=0)
    # RuStore publishes no limit; a modest default.
    per_second: float = Field(default=100.0, gt=0)
    burst: int = Field(default=50, ge=1)
    timeout_seconds: float = Field(default=10.0, gt=0)


def rustore_channel(settings: RuStoreSettings, rate: RateLimit | None = None) -> MobilePushChannel:
    provider = PushProvider(
        name="RuStore",
        base_url=settings.base_url,
        project_id=settings.project_id,
        dead_token_statuses=frozenset({404, 410}),
        credentials_setting=f"{SECTION}.service_token",
        settings_section=SECTION,
        ttl_seconds=settings.ttl_seconds,
    )
    return MobilePushChannel(
        provider,
        FixedToken(settings.service_token.get_secret_value()),
        http_calls.make_client(settings.timeout_seconds),
        rate or RateLimit(settings.per_second, settings.burst),
    )
