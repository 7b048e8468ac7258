"""What the API says when the database refuses a value: a plain sentence; the detail goes to the log."""

from __future__ import annotations

import logging
import warnings
from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DataError

from retentio.api.app import create_app
from retentio.clock import FixedClock
from retentio.config import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient


def test_a_value_the_database_refuses_is_a_generic_422_and_the_detail_is_logged(
    engine: Engine, now: datetime, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a route standing for any write the checks let through and the database refuses
    app = create_app(engine, FixedClock(now), settings)

    def refuse() -> None:
        reason = Exception('value too long for type character varying(8)\nCONTEXT: table "secret_table"')
        raise DataError("INSERT INTO secret_table VALUES (%s)", ("x",), reason)

    app.add_api_route("/refuse", refuse)
    # when
    with TestClient(app) as client, caplog.at_level(logging.WARNING):
        response = client.get("/refuse")
    # then
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "body", "message": "the database refused a value; nothing was stored"}]
    }
    assert "secret_table" not in response.text
    assert "value too long for type character varying(8)" in caplog.text
