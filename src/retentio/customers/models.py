"""What crosses the customers area's boundary: the typed input for creating or updating a customer."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from retentio.clock import Instant
from retentio.db.json_values import StorableObject, refuse_nul

Channel = Literal["email", "sms", "push", "viber", "telegram", "web", "web_push"]
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE_CHARS = re.compile(r"[\s\-()]")


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def _phone(value: str) -> str:
    """Store phones as +digits (E.164) so the same number written two ways is one number."""
    digits = _PHONE_CHARS.sub("", value)
    if digits.startswith("8") and len(digits) == 11:
        digits = "+7" + digits[1:]  # the Russian trunk prefix 8 means +7
    if not digits.startswith("+"):
        digits = "+" + digits
    if not re.fullmatch(r"\+\d{7,15}", digits):
        raise ValueError(f"{value!r} is not a phone number (use the international form, +7…)")
    return digits


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Moscow") from None
    return value


Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]
Phone = Annotated[str, StringConstraints(max_length=32), AfterValidator(_phone)]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_timezone)]
Name = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
Handle = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ConsentChange(BaseModel):
    """One opt-in or opt-out, with who/where it came from (kept forever as history)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: Channel
    granted: bool
    source: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "api"
    changed_at: Instant | None = None

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class CustomerUpsert(BaseModel):
    """Create-or-update input: only the fields given are changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    email: Email | None = None
    phone: Phone | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    # Not after today either, which needs the clock: checked by the service (``BirthdayInFuture``).
    birthday: Annotated[date, Field(ge=date(1900, 1, 1))] | None = None
    timezone: TimeZone | None = None
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] | None = None
    # Not nullable: the columns are not, so an explicit null is refused here rather than stored.
    push_tokens: Annotated[
        list[Annotated[str, StringConstraints(max_length=4096)]], Field(max_length=20)
    ] = []
    telegram_id: Handle | None = None
    viber_id: Handle | None = None
    attributes: Annotated[StorableObject, Field(max_length=200)] = {}
    consents: Annotated[list[ConsentChange], Field(max_length=50)] = []

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class CustomerRecord(BaseModel):
    """A stored customer as other areas and the API see it."""

    model_config = ConfigDict(frozen=True)
    customer_id: str
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    birthday: date | None
    timezone: str | None
    locale: str | None
    push_tokens: list[str]
    telegram_id: str | None
    viber_id: str | None
    attributes: dict[str, Any]
    consents: dict[str, bool]
    merged_into: str | None
    created_at: datetime
    updated_at: datetime


Platform = Literal["fcm", "rustore", "web"]
_Key = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_\-=]+$")]
_Ref = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class WebPushKeys(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    p256dh: _Key
    auth: _Key


class WebPushSubscription(BaseModel):
    """``PushSubscription.toJSON()`` as the browser gives it (``expirationTime`` is ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    endpoint: Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^https?://\S+$")]
    keys: WebPushKeys


class PushDeviceRegistration(BaseModel):
    """A device that takes push: an app's FCM or RuStore token, or a browser's subscription."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    platform: Platform
    token: Annotated[str, StringConstraints(min_length=1, max_length=4096, pattern=r"^\S+$")] | None = None
    subscription: WebPushSubscription | None = None
    app_id: _Ref | None = None
    device_id: _Ref | None = None

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)

    @model_validator(mode="after")
    def _address_of_its_platform(self) -> PushDeviceRegistration:
        if self.platform == "web":
            if self.subscription is None or self.token is not None:
                raise ValueError("a web device gives subscription (endpoint and keys), not token")
        elif self.token is None or self.subscription is not None:
            raise ValueError(f"an {self.platform} device gives token, not subscription")
        return self
