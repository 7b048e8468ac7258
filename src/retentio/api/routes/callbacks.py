"""``POST /v1/callbacks/{provider}``: providers' delivery reports (SMS.ru, SMS Aero, Viber) and
bounces or complaints handed over by the mail server. Each provider's adapter checks the call is
its provider's (a signature, a token) and reads it; every report becomes a message event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from fastapi import HTTPException, Path, Request, status
from fastapi.responses import PlainTextResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.bodies import read_body
from retentio.api.deps import ClockDep, EngineDep, IngestOptionsDep
from retentio.ingest import IngestOptions, ingest_delivery_reports
from retentio.messaging import Callback, ChannelName, ReportsByCallback

MAX_CALLBACK_BYTES = 10 * 1024 * 1024  # a bounce may carry the whole returned message
# What each provider must be answered for a callback it counts as received.
_ANSWER = {"smsru": "100"}


async def post_callback(
    provider: Annotated[str, Path(max_length=32)],
    request: Request,
    engine: EngineDep,
    clock: ClockDep,
    options: IngestOptionsDep,
) -> PlainTextResponse:
    return await _received(provider, request, engine, clock.now(), options)


async def post_email_callback(
    request: Request, engine: EngineDep, clock: ClockDep, options: IngestOptionsDep
) -> PlainTextResponse:
    """A bounce or complaint, the raw message as the body (from the mail server's pipe, with a key)."""
    return await _received("smtp", request, engine, clock.now(), options)


async def _received(
    provider: str, request: Request, engine: Engine, now: datetime, options: IngestOptions
) -> PlainTextResponse:
    readers: Mapping[str, tuple[ChannelName, ReportsByCallback]] = request.app.state.report_readers
    found = readers.get(provider)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no configured provider {provider!r} takes callbacks")
    channel, reader = found
    body = await read_body(request, MAX_CALLBACK_BYTES)
    callback = Callback(
        body=body,
        content_type=request.headers.get("content-type", ""),
        query=dict(request.query_params),
        headers=dict(request.headers),
    )
    try:
        reports = reader.read_callback(callback)
    except ValueError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{provider}: {error}") from None
    await run_in_threadpool(ingest_delivery_reports, engine, channel, reports, now, options)
    return PlainTextResponse(_ANSWER.get(provider, "ok"))
