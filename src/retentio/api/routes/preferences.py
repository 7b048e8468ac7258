"""``/v1/customers/{customer_id}/preferences``: the preference centre for the shop's own account page —
per channel the customer has an address on, the consent in force and whether marketing and trigger
messages arrive; a change names channel, kind and whether it should arrive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.deps import ClockDep, EngineDep, IngestOptionsDep, SettingsDep
from retentio.api.schemas import CustomerId
from retentio.config import Settings
from retentio.ingest import IngestOptions, ingest_events
from retentio.messaging import (
    ChannelPreferences,
    CustomerUnknown,
    PreferenceInvalid,
    current_preferences,
    do_set_preferences,
    links_for,
    preference_events,
    wish,
)


class KindsPublic(BaseModel):
    marketing: bool
    trigger: bool
    transactional: bool = True  # always: orders and delivery cannot be turned off


class ChannelPreferencesPublic(BaseModel):
    channel: str
    consent: bool = Field(description="The channel's consent is in force.")
    receives: KindsPublic


class PreferencesPublic(BaseModel):
    customer_id: str = Field(description="The survivor's id when the customer was merged.")
    page_url: str = Field(description="The signed preference page, for a link on the shop's site.")
    channels: list[ChannelPreferencesPublic]


class PreferenceChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Annotated[str, StringConstraints(max_length=32)]
    kind: Annotated[str, StringConstraints(max_length=32)]
    receives: bool


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    preferences: Annotated[list[PreferenceChange], Field(min_length=1, max_length=50)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "api"


def get_preferences(
    customer_id: CustomerId, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> PreferencesPublic:
    """What the customer receives, per channel they have an address on."""
    now = clock.now()
    try:
        with engine.connect() as connection:
            survivor, _, rows = current_preferences(connection, customer_id, now)
    except CustomerUnknown:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer {customer_id!r}") from None
    return _public(engine, settings, now, survivor, rows)


async def put_preferences(
    customer_id: CustomerId,
    data: PreferencesUpdate,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    options: IngestOptionsDep,
) -> PreferencesPublic:
    """Turn kinds on or off per channel; the choices not named stay as they are. Turning a kind on
    where the channel has no consent records the consent (with ``source``). Only changes are
    recorded, each also logged as a ``subscribed`` / ``unsubscribed`` event."""
    return await run_in_threadpool(_put, engine, settings, options, clock.now(), customer_id, data)


def _put(
    engine: Engine,
    settings: Settings,
    options: IngestOptions,
    now: datetime,
    customer_id: str,
    data: PreferencesUpdate,
) -> PreferencesPublic:
    try:
        wishes = [
            wish(change.channel, change.kind, change.receives, f"preferences.{index}")
            for index, change in enumerate(data.preferences)
        ]
        with engine.begin() as connection:
            saved = do_set_preferences(connection, customer_id, wishes, data.source, now)
    except PreferenceInvalid as error:
        detail = [{"field": error.field, "message": error.message}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None
    except CustomerUnknown:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer {customer_id!r}") from None
    events = preference_events(saved)
    if events:
        ingest_events(engine, events, now, options)
    return _public(engine, settings, now, saved.customer_id, saved.preferences)


def _public(
    engine: Engine, settings: Settings, now: datetime, customer_id: str, rows: tuple[ChannelPreferences, ...]
) -> PreferencesPublic:
    secret = None if settings.secret_key is None else settings.secret_key.get_secret_value()
    with engine.begin() as connection:
        links = links_for(connection, settings.public_url, secret, now)
    channels = [
        ChannelPreferencesPublic(
            channel=row.channel.value,
            consent=row.consent,
            receives=KindsPublic(**{kind.value: on for kind, on in row.receives.items()}),
        )
        for row in rows
    ]
    page_url = links.preferences(customer_id)
    return PreferencesPublic(customer_id=customer_id, page_url=page_url, channels=channels)
