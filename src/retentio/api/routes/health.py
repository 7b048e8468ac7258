"""``GET /v1/health``: is the server up, and can it reach its database."""

from __future__ import annotations

from fastapi import Response, status
from sqlalchemy.exc import SQLAlchemyError

from retentio.api.deps import ReaderDep
from retentio.api.schemas import HealthPublic
from retentio.db.migrate import current_revision


def get_health(reader: ReaderDep, response: Response) -> HealthPublic:
    """No key needed. 503 when the database cannot be reached."""
    try:
        revision = current_revision(reader)
    except SQLAlchemyError:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return HealthPublic(status="error", database="unreachable", schema_revision=None)
    return HealthPublic(status="ok", database="ok", schema_revision=revision)
