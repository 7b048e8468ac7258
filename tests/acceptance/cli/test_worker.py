"""``retentio worker --once``: runs the upkeep that is due, once per local day; bad settings are named."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from retentio.cli import app

runner = CliRunner()
CLI = "import sys; from retentio.cli import main; sys.argv[0] = 'retentio'; main()"


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


def test_a_running_worker_stops_cleanly_on_sigterm(database_url: str, now: datetime) -> None:
    # given: a worker that has run the day's upkeep and waits for more
    command = [
        sys.executable,
        "-c",
        CLI,
        "--database-url",
        database_url,
        "--as-of",
        now.isoformat(),
        "worker",
    ]
    # A worker still running a minute after SIGTERM is sent SIGABRT, and faulthandler writes where
    # each of its threads was (to the test's captured stderr) before the test fails.
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as worker:
        assert worker.stdout is not None
        try:
            lines = [worker.stdout.readline() for _ in range(10)]
            # when
            worker.send_signal(signal.SIGTERM)
            try:
                code = worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.send_signal(signal.SIGABRT)
                worker.wait(timeout=10)
                pytest.fail(f"the worker did not stop within 60 s of SIGTERM; it had printed {lines}")
        finally:
            worker.kill()
    # then
    # the loyalty jobs (coupons' upkeep, the ledger's nightly run, earning's tier reviews, referral
    # rewards, the club's reminders and lapses) and the offers' occasions sweep are due at the same
    # time as the segments' upkeep, and the recommenders' refresh (at 04:00) is due too: they may
    # come in any order
    assert sorted(line.split(" ", 1)[1].split(":")[0] for line in lines[1:]) == [
        "loyalty.club for 2026-06-01",
        "loyalty.coupons for 2026-06-01",
        "loyalty.earning for 2026-06-01",
        "loyalty.nightly for 2026-06-01",
        "loyalty.referrals for 2026-06-01",
        "offers.occasions for 2026-06-01",
        "offers.recs.train for 2026-06-01",
        "segments.custom for 2026-06-01",
        "segments.standing for 2026-06-01",
    ]
    assert code == 0
