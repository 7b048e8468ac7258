"""``retentio report`` as an operator runs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine
from tests.helpers import event, ingest, item
from typer.testing import CliRunner

from retentio.cli import app
from retentio.cli.context import runtime
from retentio.loyalty import do_accrue

runner = CliRunner()
AS_OF = "2026-04-01T00:00:00+00:00"
METRIC_KEYS = {
    "retention_rate",
    "churn_rate",
    "repeat_purchase_rate",
    "purchase_frequency",
    "average_order_value",
    "customer_activity_coefficient",
    "dau_mau",
    "clv_simple",
    "clv_margin",
}


@pytest.fixture(autouse=True)
def _close_the_cli_engine() -> Iterator[None]:
    """The CLI keeps its engine for the process; a test run is one process, so close it after each test
    (a psycopg connection left to the garbage collector is an unraisable warning)."""
    yield
    if "engine" in vars(runtime()):
        runtime().engine.dispose()


@pytest.fixture
def env(engine: Engine, database_url: str) -> dict[str, str]:
    orders = [
        ("o1", "a", datetime(2025, 11, 5, tzinfo=UTC), "100.00"),
        ("o2", "a", datetime(2026, 2, 5, tzinfo=UTC), "50.00"),
        ("o3", "b", datetime(2026, 3, 1, tzinfo=UTC), "20.00"),
    ]
    events = [
        event(order_id, "order_placed", at, customer, order_id=order_id, items=[item("X", 1, total)],
              total=total, currency="EUR")
        for order_id, customer, at, total in orders
    ]  # fmt: skip
    assert ingest(engine, events, datetime(2026, 4, 1, tzinfo=UTC)).accepted == 3
    return {"RETENTIO_DATABASE_URL": database_url}


def test_json_is_one_object_with_every_figure(env: dict[str, str]) -> None:
    # when
    result = runner.invoke(app, ["--as-of", AS_OF, "report", "--from", "2026-01-01", "--json"], env=env)
    # then
    assert result.exit_code == 0, result.output
    document = orjson.loads(result.stdout)  # the whole of stdout is one object
    assert {"period", "metrics", "definitions", "cohorts", "segments", "currency"} <= set(document)
    assert document["period"] == {"from": "2026-01-01T00:00:00+00:00", "to": AS_OF, "days": 90}
    assert set(document["metrics"]) >= METRIC_KEYS
    assert set(document["definitions"]) == set(document["metrics"])
    assert document["currency"] == "EUR"
    metrics = document["metrics"]
    assert metrics["retention_rate"] == 100.0  # S = {a}, E = {a, b}, N = {b}
    assert metrics["average_order_value"] == 35.0
    assert metrics["clv_simple"] is None  # nobody left: no finite lifetime
    assert document["segments"] == {"rfm": {}, "lifecycle": {}, "ladder": {}, "bad_customers": 0}
    march = document["cohorts"]["months"]["2026-03"]
    assert march == {"customers": 1, "active": [1], "retention_rate": [100.0]}


def test_the_default_period_is_the_last_365_days(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["--as-of", AS_OF, "report", "--json"], env=env)
    document = orjson.loads(result.stdout)
    assert document["period"]["from"] == "2025-04-01T00:00:00+00:00"
    assert document["metrics"]["orders"] == 3


def test_the_readable_report_puts_definitions_next_to_figures(env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["--as-of", AS_OF, "report", "--from", "2026-01-01"], env={**env, "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Retention rate" in result.output
    assert "100.00 %" in result.output
    assert "Among customers who ordered in the period, the share who ordered at least twice." in result.output


def test_segment_explanations_follow_the_settings_the_standing_was_decided_with(
    env: dict[str, str], tmp_path: Path
) -> None:
    # given: "new" means up to 3 orders here, not the default 2
    settings = tmp_path / "segments.toml"
    settings.write_text("[lifecycle]\nnew_max_orders = 3\nloyal_min_orders = 4\nchurn_days = 120\n")
    refreshed = runner.invoke(
        app, ["--as-of", AS_OF, "segments", "refresh-builtin", "--config", str(settings)], env=env
    )
    assert refreshed.exit_code == 0, refreshed.output

    # when
    result = runner.invoke(
        app, ["--as-of", AS_OF, "report", "--config", str(settings)], env={**env, "COLUMNS": "250"}
    )

    # then
    assert result.exit_code == 0, result.output
    new_row = next(
        line for line in result.output.splitlines() if line.startswith("│ lifecycle") and " new " in line
    )
    assert "1–3 orders" in new_row


def test_a_wrong_settings_file_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    settings = tmp_path / "segments.toml"
    settings.write_text("[lifecycle]\nchurn_dayz = 120\n")
    result = runner.invoke(app, ["--as-of", AS_OF, "report", "--config", str(settings)], env=env)
    assert result.exit_code == 2
    assert "churn_dayz" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--segment", "nobody"], "no custom segment"),
        (["--from", "2026-05-01"], "empty"),
        (["--from", "soon"], "not an ISO 8601 time"),
        (["--margin", "lots"], "not a number"),
    ],
)
def test_bad_options_are_clear_errors(env: dict[str, str], arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["--as-of", AS_OF, "report", *arguments], env=env)
    assert result.exit_code == 2
    assert message in result.output


def test_the_report_shows_each_loyalty_programme_after_the_base(
    env: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    programmes = tmp_path / "loyalty.toml"
    programmes.write_text(
        '[programmes.euro]\nname = "Euro points"\ncurrency = "EUR"\npoint_value_minor = 10\n'
        '[programmes.euro.earning]\npoints_per_unit = "1"\n'
        '[programmes.empty]\nname = "Nobody yet"\ncurrency = "EUR"\npoint_value_minor = 1\n'
        '[programmes.empty.earning]\npoints_per_unit = "1"\n'
    )
    with engine.begin() as connection:
        do_accrue(connection, "euro", "a", 50, "order:o2", datetime(2026, 2, 5, tzinfo=UTC))
    settings = {**env, "RETENTIO_LOYALTY_CONFIG": str(programmes), "COLUMNS": "200"}
    # when
    result = runner.invoke(app, ["--as-of", AS_OF, "report", "--from", "2026-01-01", "--json"], env=settings)
    readable = runner.invoke(app, ["--as-of", AS_OF, "report", "--from", "2026-01-01"], env=settings)
    # then
    assert result.exit_code == 0, result.output
    euro, empty = orjson.loads(result.stdout)["loyalty"]
    assert (euro["programme"], euro["currency"], empty["programme"]) == ("euro", "EUR", "empty")
    assert euro["metrics"]["members"] == 1
    assert euro["metrics"]["liability"] == 5.0  # 50 points at 0.10 €
    assert euro["metrics"]["bonus_value"] == 10.0  # 5 € of points on a's 50 € in the period
    assert empty["metrics"]["members"] == 0
    assert readable.exit_code == 0, readable.output
    assert "Loyalty programme Euro points (euro), money in EUR" in readable.output
    assert "Loyalty programme Nobody yet (empty): no members yet." in readable.output


def test_a_wrong_loyalty_settings_file_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    programmes = tmp_path / "loyalty.toml"
    programmes.write_text('[programmes.euro]\nname = "Euro points"\ncurrency = "EUR"\n')
    result = runner.invoke(
        app, ["--as-of", AS_OF, "report"], env={**env, "RETENTIO_LOYALTY_CONFIG": str(programmes)}
    )
    assert result.exit_code == 2
    assert "point_value_minor" in result.output
