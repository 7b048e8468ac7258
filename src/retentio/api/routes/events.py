"""``POST /v1/events``: a batch of events in the envelope, each accepted, a duplicate, or rejected."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import datetime

from fastapi import HTTPException, Request, status
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from retentio.api.bodies import batch_items, parse_json, read_body
from retentio.api.deps import ClockDep, EngineDep, IngestOptionsDep
from retentio.api.schemas import IngestResponse
from retentio.ingest import BatchTooLarge, IngestOptions, ingest_events


async def post_events(
    request: Request, engine: EngineDep, clock: ClockDep, options: IngestOptionsDep
) -> IngestResponse:
    """Store a batch of events. Valid events are committed even when others are rejected; an
    ``event_id`` already stored (in this batch or before) counts as a duplicate and is not stored again.
    The body is a JSON array of events, or ``{"events": [...]}``."""
    body = await read_body(request)
    return await run_in_threadpool(_ingest, body, engine, clock.now(), options)


# On SQLite one batch is ingested at a time per process. Its writes are serialised by the database
# anyway, and a second request validating beside a write only contends for the GIL, which the
# driver gives up around every row it steps: measured 14 % fewer events/s with two requests in
# flight (2026-11-24, benchmarks/http_ingest.py, three alternated pairs). PostgreSQL does part of
# the work in its own process, so requests there still overlap.
_SQLITE_INGEST = threading.Lock()


def _ingest(body: bytes, engine: Engine, now: datetime, options: IngestOptions) -> IngestResponse:
    with _SQLITE_INGEST if engine.dialect.name == "sqlite" else nullcontext():
        return _ingest_now(body, engine, now, options)


def _ingest_now(body: bytes, engine: Engine, now: datetime, options: IngestOptions) -> IngestResponse:
    raw_events = batch_items(parse_json(body), "events", options.max_batch)
    try:
        result = ingest_events(engine, raw_events, now, options)
    except BatchTooLarge as error:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(error)) from None
    return IngestResponse.of(result)
