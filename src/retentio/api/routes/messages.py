"""``/v1/messages``: ask for messages (one or many, idempotent), read one, read a customer's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query, Request, status
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.bodies import batch_items, parse_json, read_body, validate_each
from retentio.api.deps import ClockDep, EngineDep, ReaderDep
from retentio.api.messages_schema import (
    MessageRequestBody,
    MessagesResponse,
    RefusedMessage,
    RequestedMessage,
)
from retentio.api.schemas import NO_NUL, CustomerId, FieldErrorPublic
from retentio.messaging import MessageRequest, customer_messages, do_request_messages, load_messages

MAX_MESSAGES = 10_000
MessageId = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_NUL)]


async def post_messages(request: Request, engine: EngineDep, clock: ClockDep) -> MessagesResponse:
    """Ask for messages: the body is a JSON array of requests, or ``{"messages": [...]}``. Each is
    stored once per ``idempotency_key`` and sent by ``retentio worker``; a bad one is refused alone,
    naming what is wrong, and the others are kept."""
    body = await read_body(request)
    return await run_in_threadpool(_request, body, engine, clock.now())


def _request(body: bytes, engine: Engine, now: datetime) -> MessagesResponse:
    items = batch_items(parse_json(body), "messages", MAX_MESSAGES)
    valid, invalid = validate_each(MessageRequestBody, items)
    refused = [RefusedMessage(index=i, idempotency_key=_key_of(items[i]), errors=e) for i, e in invalid]
    requests: list[tuple[int, MessageRequest]] = []
    for index, item in valid:
        try:
            requests.append((index, item.to_request()))
        except ValueError as error:
            errors = [FieldErrorPublic(field="", message=str(error))]
            refused.append(RefusedMessage(index=index, idempotency_key=item.idempotency_key, errors=errors))
    with engine.begin() as connection:
        requested, not_stored = do_request_messages(connection, [request for _, request in requests], now)
    indexes = [index for index, _ in requests]
    refused += [
        RefusedMessage(
            index=indexes[item.index],
            idempotency_key=item.idempotency_key,
            errors=[FieldErrorPublic(field="", message=item.reason)],
        )
        for item in not_stored
    ]
    by_key = {item.idempotency_key: item for item in requested}
    answered = [
        RequestedMessage(
            index=index,
            message_id=by_key[r.idempotency_key].message_id,
            idempotency_key=r.idempotency_key,
            created=by_key[r.idempotency_key].created,
        )
        for index, r in requests
        if r.idempotency_key in by_key
    ]
    return MessagesResponse(requested=answered, refused=sorted(refused, key=lambda item: item.index))


def _key_of(item: object) -> str | None:
    key = item.get("idempotency_key") if isinstance(item, dict) else None
    return key if isinstance(key, str) else None


def get_message(message_id: MessageId, reader: ReaderDep) -> dict[str, Any]:
    """Where the message stands: its state, the reason when not sent or failed, each channel tried."""
    with reader.connect() as connection:
        found = load_messages(connection, [message_id]).get(message_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no message {message_id!r}")
    return found.as_json()


def get_customer_messages(
    customer_id: CustomerId, reader: ReaderDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """The customer's messages, newest first."""
    with reader.connect() as connection:
        return [message.as_json() for message in customer_messages(connection, customer_id, limit)]
