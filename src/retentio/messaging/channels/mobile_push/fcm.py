"""Firebase Cloud Messaging, HTTP v1 API (firebase.google.com/docs/cloud-messaging/send-message):
``POST https://fcm.googleapis.com/v1/projects/{project_id}/messages:send`` with an OAuth2 token of a
service account that may send for the project."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from retentio.clock import Clock, SystemClock
from retentio.messaging.channels import http_calls
from retentio.messaging.channels.mobile_push.channel import MobilePushChannel, PushProvider
from retentio.messaging.channels.mobile_push.service_account import AccessTokens, ServiceAccount
from retentio.messaging.channels.port import ChannelNotReady
from retentio.messaging.channels.rate import RateLimit

SECTION = "channels.fcm"


class FcmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The service account's JSON key: a file, or its text (from an environment variable).
    service_account_file: Path | None = None
    service_account_json: SecretStr | None = None
    project_id: str | None = None  # default: the service account's project
    base_url: str = "https://fcm.googleapis.com"
    # How long FCM keeps a message for a device that is offline (None: FCM's default, 4 weeks).
    ttl_seconds: int | None = Field(default=None, ge=0)
    # FCM allows 600,000 messages a minute per project; stay well under it by default.
    per_second: float = Field(default=500.0, gt=0)
    burst: int = Field(default=100, ge=1)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _one_key(self) -> FcmSettings:
        if (self.service_account_file is None) == (self.service_account_json is None):
            raise ValueError(f"give one of {SECTION}.service_account_file and {SECTION}.service_account_json")
        return self

    @property
    def key_setting(self) -> str:
        name = "service_account_file" if self.service_account_file is not None else "service_account_json"
        return f"{SECTION}.{name}"


def fcm_channel(
    settings: FcmSettings, clock: Clock | None = None, rate: RateLimit | None = None
) -> MobilePushChannel:
    """The FCM adapter; ``ChannelNotReady`` naming the setting when the key cannot be read."""
    account = _service_account(settings)
    project = settings.project_id or account.project_id
    if not project:
        raise ChannelNotReady(f"set {SECTION}.project_id: the service account names no project")
    client = http_calls.make_client(settings.timeout_seconds)
    provider = PushProvider(
        name="FCM",
        base_url=settings.base_url,
        project_id=project,
        dead_token_statuses=frozenset(),  # FCM says UNREGISTERED or INVALID_ARGUMENT about the token
        credentials_setting=settings.key_setting,
        settings_section=SECTION,
        ttl_seconds=settings.ttl_seconds,
    )
    tokens = AccessTokens(client, account, clock or SystemClock(), settings.key_setting)
    return MobilePushChannel(provider, tokens, client, rate or RateLimit(settings.per_second, settings.burst))


def _service_account(settings: FcmSettings) -> ServiceAccount:
    try:
        if settings.service_account_file is not None:
            text = settings.service_account_file.read_text(encoding="utf-8")
        else:
            assert settings.service_account_json is not None  # the validator's rule
            text = settings.service_account_json.get_secret_value()
        return ServiceAccount.from_json(text, settings.key_setting)
    except OSError as error:
        raise ChannelNotReady(f"cannot read {settings.key_setting}: {error.strerror}") from None
    except ValueError as error:
        raise ChannelNotReady(str(error)) from None
