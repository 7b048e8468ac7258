"""``retentio worker --once``: runs the upkeep that is due, once per local day; bad settings are named."""

from __future__ import annotations

from datetime import datetime, timedelta

from typer.testing import CliRunner

from retentio.cli import app

runner = CliRunner()


def test_worker_runs_the_due_upkeep_once_a_day(database_url: str, now: datetime) -> None:
    # given
    env = {
        "RETENTIO_DATABASE_URL": database_url,
        "RETENTIO_SWEEP_AT": "04:30",
        "RETENTIO_TIMEZONE": "Asia/Tokyo",
    }
    # when: 21:00 in Tokyo, then an hour later
    first = runner.invoke(app, ["--as-of", now.isoformat(), "worker", "--once"], env=env)
    again = runner.invoke(
        app, ["--as-of", (now + timedelta(hours=1)).isoformat(), "worker", "--once"], env=env
    )
    # then
    assert first.exit_code == 0, first.output
    assert "daily upkeep at 04:30 Asia/Tokyo" in first.output
    assert "segments.standing for 2026-06-01" in first.output
    assert "segments.custom for 2026-06-01" in first.output
    assert again.exit_code == 0, again.output
    assert "segments." not in again.output


def test_a_wrong_run_time_is_refused_naming_the_setting(database_url: str) -> None:
    # when
    result = runner.invoke(
        app, ["worker", "--once"], env={"RETENTIO_DATABASE_URL": database_url, "RETENTIO_SWEEP_AT": "25:00"}
    )
    # then
    assert result.exit_code == 2
    assert "RETENTIO_SWEEP_AT='25:00' is not a time of day such as 03:00" in result.output
