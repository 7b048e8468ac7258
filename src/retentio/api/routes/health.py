"""``GET /v1/health``: is the server up, can it reach its database, and how far behind the log each
of its consumers is."""

from __future__ import annotations

from fastapi import Response, status
from sqlalchemy.exc import SQLAlchemyError

from retentio.api.deps import ContextDep
from retentio.api.schemas import ConsumerLagPublic, HealthPublic
from retentio.db.migrate import current_revision
from retentio.events import consumer_lags


def get_health(context: ContextDep, response: Response) -> HealthPublic:
    """No key needed. 503 when the database cannot be reached."""
    try:
        revision = current_revision(context.reader)
        with context.reader.connect() as connection:
            lags = consumer_lags(connection, context.consumers)
    except SQLAlchemyError:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return HealthPublic(status="error", database="unreachable", schema_revision=None)
    now = context.clock.now()
    return HealthPublic(
        status="ok",
        database="ok",
        schema_revision=revision,
        consumers=[
            ConsumerLagPublic(
                consumer=lag.consumer, events_behind=lag.behind, seconds_behind=lag.seconds_behind(now)
            )
            for lag in lags
        ],
    )
