"""``retentio worker``: the daily segment upkeep, at ``RETENTIO_SWEEP_AT`` in ``RETENTIO_TIMEZONE``."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from retentio.cli.context import runtime
from retentio.cli.segment_settings import SETTINGS_OPTION, load_segment_settings
from retentio.schedule.upkeep import Schedule, run_due_jobs, seconds_until_next

# Woken at least this often, so a moved system clock or a DST change is noticed within a minute.
MAX_SLEEP_SECONDS = 60.0


def worker_command(
    once: bool = typer.Option(False, "--once", help="Run what is due now and exit (for cron)."),
    config: Path | None = SETTINGS_OPTION,
) -> None:
    """Run the daily segment upkeep (time-driven moves, RFM, custom segments) once per local day."""
    run = runtime()
    segments = load_segment_settings(config)
    schedule = Schedule(run.settings.sweep_at, run.settings.zone, run.settings.default_currency, segments)
    typer.echo(f"daily upkeep at {schedule.at.strftime('%H:%M')} {run.settings.timezone}")
    while True:
        now = run.now()
        for done in run_due_jobs(run.engine, now, schedule):
            typer.echo(f"{now.isoformat()} {done.job} for {done.day.isoformat()}: {done.summary}")
        if once:
            return
        time.sleep(min(max(seconds_until_next(run.now(), schedule), 1.0), MAX_SLEEP_SECONDS))
