"""The operator's commands through the CLI, as a user types them."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.helpers import event, ingest, item
from typer.testing import CliRunner

from retentio.cli import app
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


def test_db_upgrade_reports_the_revision(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert "schema at revision" in result.output


def test_merge_and_show_through_the_cli(engine: Engine, env: dict[str, str]) -> None:
    with engine.begin() as connection:
        do_upsert_customer(connection, "a", CustomerUpsert(email="a@example.ru"), NOW)
        do_upsert_customer(connection, "b", CustomerUpsert(phone="+79990000000"), NOW)
    ingest(
        engine,
        [
            event(
                "o",
                "order_placed",
                NOW - timedelta(days=1),
                "b",
                order_id="o",
                items=[item("X", 1, "10.00")],
                total="10.00",
                currency="RUB",
            )
        ],
        NOW,
    )
    merged = runner.invoke(app, ["--as-of", NOW.isoformat(), "customers", "merge", "a", "b"], env=env)
    assert merged.exit_code == 0, merged.output
    shown = runner.invoke(app, ["customers", "show", "a", "--json"], env=env)
    document = orjson.loads(shown.stdout)
    assert document["customer"]["phone"] == "+79990000000"
    assert document["profile"]["orders"] == 1


def test_merge_refusal_is_a_clear_error(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["customers", "merge", "a", "a"], env=env)
    assert result.exit_code == 2
    assert "cannot be merged into itself" in result.output


def test_profiles_rebuild_and_a_bad_as_of(engine: Engine, env: dict[str, str]) -> None:
    ingest(engine, [event("v", "product_viewed", NOW, "a", sku="X")], NOW)
    rebuilt = runner.invoke(app, ["--as-of", "2026-06-02", "profiles", "rebuild"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "from 1 events" in rebuilt.output
    bad = runner.invoke(app, ["--as-of", "soon", "profiles", "rebuild"], env=env)
    assert bad.exit_code == 2
    assert "not an ISO 8601 time" in bad.output


def test_a_database_without_schema_gets_a_clear_error(tmp_path: Path) -> None:
    # given a database file that was never migrated
    env = {**os.environ, "RETENTIO_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    # when a newcomer asks for the report
    result = subprocess.run(
        [sys.executable, "-c", "from retentio.cli import main; main()", "report"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # then they are told what to do, not shown a traceback
    assert result.returncode == 2
    assert "run `retentio db upgrade` first" in result.stderr
    assert "Traceback" not in result.stderr
