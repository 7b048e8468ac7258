"""``/v1/customers/{customer_id}/inbox``: the on-site messages the shop's site shows a customer
(banners, COM-5), and the site telling Retentio the customer saw or closed one — which is logged
as the message's open, so the message counts as seen."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query, status
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.deps import ClockDep, EngineDep, IngestOptionsDep, ReaderDep
from retentio.api.schemas import NO_NUL, CustomerId
from retentio.ingest import IngestOptions, ingest_events
from retentio.messaging import (
    Marked,
    OnsiteMessage,
    active_onsite_messages,
    do_dismiss_onsite_message,
    do_mark_onsite_seen,
)

MessageId = Annotated[str, Path(min_length=1, max_length=255, pattern=NO_NUL)]


def get_inbox(
    customer_id: CustomerId,
    reader: ReaderDep,
    clock: ClockDep,
    unread: Annotated[bool, Query(description="Only the messages not seen yet.")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    """The customer's live messages (not closed, not expired), newest first."""
    with reader.connect() as connection:
        found = active_onsite_messages(connection, customer_id, clock.now(), unread, limit)
    return [_shown(message) for message in found]


async def post_seen(
    customer_id: CustomerId,
    message_id: MessageId,
    engine: EngineDep,
    clock: ClockDep,
    options: IngestOptionsDep,
) -> dict[str, str]:
    """The customer saw it: marked once, and logged as the message's open."""
    return await run_in_threadpool(_mark, engine, customer_id, message_id, clock.now(), options, False)


async def post_dismissed(
    customer_id: CustomerId,
    message_id: MessageId,
    engine: EngineDep,
    clock: ClockDep,
    options: IngestOptionsDep,
) -> dict[str, str]:
    """The customer closed it: it leaves the inbox (closing it means it was seen)."""
    return await run_in_threadpool(_mark, engine, customer_id, message_id, clock.now(), options, True)


def _mark(
    engine: Engine, customer_id: str, message_id: str, now: datetime, options: IngestOptions, dismiss: bool
) -> dict[str, str]:
    with engine.begin() as connection:
        mark = do_dismiss_onsite_message if dismiss else do_mark_onsite_seen
        marked = mark(connection, customer_id, message_id, now)
    if marked is Marked.NOT_FOUND:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no message {message_id!r} in {customer_id!r}'s inbox"
        )
    opened = {
        "event_id": f"{message_id}:opened:onsite",
        "type": "message_opened",
        "customer_id": customer_id,
        "timestamp": now.isoformat(),
        "properties": {"message_id": message_id, "channel": "onsite"},
    }
    ingest_events(engine, [opened], now, options)  # the same id again is a duplicate: seen once
    return {"message_id": message_id, "result": marked.value}


def _shown(message: OnsiteMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "kind": message.kind.value,
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "image_url": message.image_url,
        "created_at": message.created_at.isoformat(),
        "expires_at": None if message.expires_at is None else message.expires_at.isoformat(),
        "seen": message.seen_at is not None,
    }
