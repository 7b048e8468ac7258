"""``--as-of`` and ``--database-url`` work before the command and after it, at every level."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from retentio.cli import app
from retentio.cli.context import runtime

runner = CliRunner()
AS_OF = "2025-04-02T00:00:00+00:00"


@pytest.fixture(autouse=True)
def _close_the_cli_engine() -> Iterator[None]:
    yield
    if "engine" in vars(runtime()):
        runtime().engine.dispose()


@pytest.fixture
def elsewhere(tmp_path: Path) -> dict[str, str]:
    """RETENTIO_DATABASE_URL points at a database with no schema: only --database-url reaches the test's."""
    return {"RETENTIO_DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.db'}"}


def test_as_of_after_the_command(database_url: str) -> None:
    result = runner.invoke(
        app, ["report", "--as-of", "2025-04-02", "--json"], env={"RETENTIO_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["as_of"] == AS_OF


def test_after_the_command_wins_over_before_it(database_url: str) -> None:
    result = runner.invoke(
        app,
        ["--as-of", "2020-01-01", "report", "--json", "--as-of", AS_OF],
        env={"RETENTIO_DATABASE_URL": database_url},
    )
    assert orjson.loads(result.stdout)["as_of"] == AS_OF


def test_database_url_after_the_command(database_url: str, elsewhere: dict[str, str]) -> None:
    result = runner.invoke(app, ["stats", "--json", "--database-url", database_url], env=elsewhere)
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["customers"] == 0


def test_both_after_a_nested_command(database_url: str, elsewhere: dict[str, str], tmp_path: Path) -> None:
    # given
    rule = tmp_path / "rule.json"
    rule.write_text('{"field": "profile.orders", "op": ">=", "value": 1}', encoding="utf-8")
    target = ["--database-url", database_url]
    # when
    created = runner.invoke(
        app, ["segments", "create", "buyers", "--rule", str(rule), "--as-of", AS_OF, *target], env=elsewhere
    )
    shown = runner.invoke(app, ["segments", "show", "buyers", "--json", *target], env=elsewhere)
    # then
    assert created.exit_code == 0, created.output
    assert orjson.loads(shown.stdout)["created_at"] == AS_OF


def test_database_url_after_a_group_s_command(tmp_path: Path, elsewhere: dict[str, str]) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url], env=elsewhere)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new.db").exists()
    assert not (tmp_path / "elsewhere.db").exists()


def test_a_wrong_as_of_after_the_command_is_a_clear_error(database_url: str) -> None:
    result = runner.invoke(app, ["report", "--as-of", "soon"], env={"RETENTIO_DATABASE_URL": database_url})
    assert result.exit_code == 2
    assert "Invalid value for '--as-of': 'soon' is not an ISO 8601 time" in result.stderr


def test_every_command_lists_the_two_options_in_its_help() -> None:
    for arguments in (["report"], ["segments", "refresh"], ["db", "upgrade"], ["customers", "show"]):
        result = runner.invoke(app, [*arguments, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, arguments
        assert "--as-of" in result.stdout, arguments
        assert "--database-url" in result.stdout, arguments
