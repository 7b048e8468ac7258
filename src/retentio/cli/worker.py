"""``retentio worker``: the log's consumers (segments) in a background loop, and the daily segment
upkeep at ``RETENTIO_SWEEP_AT`` in ``RETENTIO_TIMEZONE``; ``retentio worker status`` shows how far
behind the log each consumer is."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

import typer
from sqlalchemy import Engine

from retentio.cli.context import runtime
from retentio.cli.segment_settings import SETTINGS_OPTION, load_segment_settings
from retentio.events.consumers import consumer_lags, drain, run_until_stopped
from retentio.segments.upkeep import Schedule, run_due_jobs, seconds_until_next

# Woken at least this often, so a moved system clock or a DST change is noticed within a minute.
MAX_SLEEP_SECONDS = 60.0

app = typer.Typer(
    help="Keep segments up to date with the log, and run the daily segment upkeep; 'status' shows the lag."
)


@app.callback(invoke_without_command=True)
def worker_command(
    context: typer.Context,
    once: bool = typer.Option(
        False, "--once", help="Catch up with the log, run what is due now, and exit (for cron)."
    ),
    config: Path | None = SETTINGS_OPTION,
) -> None:
    """Keep segments up to date with the log (any number of workers may run on PostgreSQL), and run
    the daily segment upkeep (time-driven moves, RFM, custom segments) once per local day."""
    if context.invoked_subcommand is not None:
        return
    run = runtime()
    run.use_segments(load_segment_settings(config))
    schedule = Schedule(run.settings.sweep_at, run.settings.zone, run.settings.default_currency, run.segments)
    consumers = run.consumers()
    typer.echo(f"consuming the log; daily upkeep at {schedule.at.strftime('%H:%M')} {run.settings.timezone}")
    if once:
        consumed = drain(run.engine, consumers, run.clock)
        _run_due(run.engine, run.now(), schedule)
        consumed += drain(run.engine, consumers, run.clock)  # the upkeep's own moves are events too
        typer.echo(f"{consumed:,} events consumed")
        return
    stop = threading.Event()
    loop = threading.Thread(
        target=run_until_stopped, args=(run.engine, consumers, run.clock, stop), name="consumers", daemon=True
    )
    loop.start()
    try:
        while loop.is_alive():
            _run_due(run.engine, run.now(), schedule)
            time.sleep(min(max(seconds_until_next(run.now(), schedule), 1.0), MAX_SLEEP_SECONDS))
        raise typer.Exit(1)  # the consumer loop died: its traceback is above
    finally:
        stop.set()
        loop.join(timeout=30)


@app.command("status")
def status_command() -> None:
    """How far behind the log each consumer is: events still to read, and for how long the oldest
    of them has waited."""
    run = runtime()
    names = [consumer.name for consumer in run.consumers()]
    with run.reader.connect() as connection:
        lags = consumer_lags(connection, names)
    now = run.now()
    for lag in lags:
        typer.echo(
            f"{lag.consumer:<12} at {lag.position.tx}:{lag.position.row}  "
            f"{lag.behind:,} events behind  {lag.seconds_behind(now):.1f} s"
        )


def _run_due(engine: Engine, now: datetime, schedule: Schedule) -> None:
    for done in run_due_jobs(engine, now, schedule):
        typer.echo(f"{now.isoformat()} {done.job} for {done.day.isoformat()}: {done.summary}")
