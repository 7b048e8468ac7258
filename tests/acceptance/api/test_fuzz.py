"""Fuzz the API from its own OpenAPI schema: whatever a client sends, the answer is never a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine
from tests.conftest import NOW

from retentio.api.app import create_app
from retentio.clock import FixedClock
from retentio.config import Settings
from retentio.db.engine import make_engine

# The schema does not depend on the database: read it from an app whose engine never connects, and
# send each case to an app on the test's own database (schemathesis' fixture loader does not work
# with this pytest).
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(make_engine("sqlite://"), FixedClock(NOW), Settings())
)


@pytest.fixture
def target(engine: Engine, now: datetime, make_key: Callable[[str], str]) -> tuple[FastAPI, dict[str, str]]:
    """The app on the test's database, and headers with a key that may do everything."""
    app = create_app(engine, FixedClock(now), Settings())
    return app, {"Authorization": f"Bearer {make_key('admin')}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_input_gets_a_server_error(
    case: schemathesis.Case, target: tuple[FastAPI, dict[str, str]]
) -> None:
    app, headers = target
    case.call_and_validate(app=app, headers=headers, checks=[not_a_server_error])
