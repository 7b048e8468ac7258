"""``retentio loyalty`` as an operator types it: adjust with a reason, see the balance and ledger."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.integration.loyalty.earning.support import PROGRAMME, placed, send
from tests.integration.loyalty.ledger.support import add_customers
from typer.testing import CliRunner

from retentio.cli import app

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


def test_an_adjustment_shows_in_the_balance_and_the_ledger_once(engine: Engine, env: dict[str, str]) -> None:
    # given a customer
    add_customers(engine, ["ann"], NOW)
    at = ["--as-of", NOW.isoformat()]
    # when the same adjustment is typed twice
    adjust = [
        *at,
        "loyalty",
        "adjust",
        "ann",
        "--points",
        "40",
        "--reason",
        "goodwill",
        "--source",
        "t-1",
        "--actor",
        "kate",
    ]
    first = runner.invoke(app, adjust, env=env)
    second = runner.invoke(app, adjust, env=env)
    # then it applies once
    assert first.exit_code == 0, first.output
    assert first.output == "applied: entry 1; available 40\n"
    assert second.output == "already applied: entry 1; available 40\n"
    balance = runner.invoke(app, [*at, "loyalty", "balance", "ann"], env=env)
    assert balance.output == "available 40\npending 0\ndebt 0\n"
    ledger = runner.invoke(app, [*at, "loyalty", "ledger", "ann"], env=env)
    [entry] = [orjson.loads(line) for line in ledger.output.splitlines()]
    assert (entry["kind"], entry["available"], entry["actor"], entry["reason"]) == (
        "adjustment",
        40,
        "kate",
        "goodwill",
    )


def test_taking_more_than_there_is_is_refused_naming_points(engine: Engine, env: dict[str, str]) -> None:
    add_customers(engine, ["ann"], NOW)
    result = runner.invoke(
        app,
        [
            "--as-of",
            NOW.isoformat(),
            "loyalty",
            "adjust",
            "ann",
            "--points",
            "-5",
            "--reason",
            "x",
            "--source",
            "t-2",
        ],
        env=env,
    )
    assert result.exit_code == 2
    assert "error: points: 5 asked, only 0 available" in result.output


def test_an_unknown_customer_has_no_balance(engine: Engine, env: dict[str, str]) -> None:
    result = runner.invoke(app, ["loyalty", "balance", "nobody"], env=env)
    assert result.exit_code == 1
    assert "error: customer_id: no customer 'nobody'" in result.output


def test_the_balance_shows_the_tier_and_what_the_next_one_needs(
    engine: Engine, env: dict[str, str], tmp_path: Path
) -> None:
    # given the programme of the earning tests (Silver at 30,000 ₽), and an order of 12,000 ₽
    settings = tmp_path / "loyalty.toml"
    settings.write_text(PROGRAMME.format(extra="", starts_at="starts_at = 2026-01-01T00:00:00Z"))
    send(engine, [placed("e1", "ann", NOW, "o1", 1, "12000")], NOW)
    # when
    result = runner.invoke(
        app,
        ["--as-of", NOW.isoformat(), "loyalty", "balance", "ann"],
        env={**env, "RETENTIO_LOYALTY_CONFIG": str(settings)},
    )
    # then
    assert result.exit_code == 0, result.output
    assert result.output == (
        "available 100\npending 1200\ndebt 0\n"
        "tier base since 2026-06-01T12:00:00+00:00\n"
        "next review 2027-06-01T12:00:00+00:00\n"
        "next tier silver: spend 18000 more by 2027-06-01T12:00:00+00:00\n"
    )


def test_a_wrong_loyalty_settings_file_ends_the_command_naming_the_key(
    engine: Engine, env: dict[str, str], tmp_path: Path
) -> None:
    settings = tmp_path / "loyalty.toml"
    settings.write_text(PROGRAMME.format(extra='enrolment = "never"', starts_at=""))
    add_customers(engine, ["ann"], NOW)
    result = runner.invoke(
        app, ["loyalty", "balance", "ann"], env={**env, "RETENTIO_LOYALTY_CONFIG": str(settings)}
    )
    assert result.exit_code == 2
    assert "programmes.club.enrolment" in result.output
