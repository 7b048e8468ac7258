"""On-site messages: the ``onsite`` channel puts a banner in the customer's inbox, which the shop's
site reads through the API. Sending is a row in Retentio's own store, so it is "sent" the moment it
is stored; the site later marks it seen or dismissed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from retentio.clock import Clock, SystemClock
from retentio.messaging.channels.port import ChannelNotReady, Outgoing, SendResult
from retentio.messaging.content import ChannelName, PushBody
from retentio.messaging.onsite_inbox import OnsiteMessage, do_add_onsite_message
from retentio.messaging.tables import onsite_messages


class OnsiteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # How long a banner stays in the inbox when nobody closes it (0: until closed).
    lifetime_days: int = Field(default=14, ge=0)


class OnsiteChannel:
    def __init__(
        self, engine: Engine, settings: OnsiteSettings | None = None, clock: Clock | None = None
    ) -> None:
        self._engine = engine
        self._settings = settings or OnsiteSettings()
        self._clock = clock or SystemClock()

    @property
    def name(self) -> ChannelName:
        return ChannelName.ONSITE

    async def check(self) -> None:
        try:
            await asyncio.to_thread(self._read_one)
        except SQLAlchemyError as error:
            raise ChannelNotReady(
                f"the on-site inbox cannot be read ({type(error).__name__}); run `retentio db upgrade`"
            ) from None

    async def send(self, outgoing: Outgoing) -> SendResult:
        body = outgoing.body
        if not isinstance(body, PushBody):
            return SendResult.failed(
                f"an on-site message needs a title and a body; this one has a {type(body).__name__}"
            )
        customer = outgoing.recipient.strip()
        if not customer:
            return SendResult.unreachable("no customer id for the on-site inbox")
        now = self._clock.now()
        lifetime = self._settings.lifetime_days
        message = OnsiteMessage(
            message_id=outgoing.message_id,
            customer_id=customer,
            kind=outgoing.kind,
            title=body.title,
            body=body.body,
            url=body.url,
            image_url=body.image_url,
            created_at=now,
            expires_at=now + timedelta(days=lifetime) if lifetime else None,
        )
        try:
            await asyncio.to_thread(self._store, message)
        except SQLAlchemyError as error:
            return SendResult.retry(f"the on-site inbox could not be written: {type(error).__name__}")
        # Stored now or by an earlier try of the same message: either way it is in the inbox.
        return SendResult.sent(outgoing.message_id)

    async def close(self) -> None:
        pass  # the engine belongs to whoever made the channel

    def _store(self, message: OnsiteMessage) -> None:
        with self._engine.begin() as connection:
            do_add_onsite_message(connection, message)

    def _read_one(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(select(onsite_messages.c.message_id).limit(1)).all()
