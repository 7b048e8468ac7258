"""``retentio worker``: runs due work — the daily segment upkeep at ``RETENTIO_SWEEP_AT`` in
``RETENTIO_TIMEZONE`` — until stopped (SIGTERM or Ctrl-C finish the batch in hand first)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import typer

from retentio.cli.context import runtime
from retentio.cli.segment_settings import SETTINGS_OPTION, load_segment_settings
from retentio.schedule.kinds import Registry
from retentio.schedule.runner import Outcome, Runner
from retentio.schedule.serve import serve
from retentio.schedule.sql import SqlQueue
from retentio.schedule.wake import waker_for
from retentio.segments.upkeep import Schedule, start_upkeep, upkeep_kinds


def worker_command(
    once: bool = typer.Option(False, "--once", help="Run what is due now and exit (for cron)."),
    config: Path | None = SETTINGS_OPTION,
) -> None:
    """Run due work, such as the daily segment upkeep (moves, RFM, custom segments) once per local day."""
    run = runtime()
    segments = load_segment_settings(config)
    schedule = Schedule(run.settings.sweep_at, run.settings.zone, run.settings.default_currency, segments)
    typer.echo(f"daily upkeep at {schedule.at.strftime('%H:%M')} {run.settings.timezone}")
    registry = Registry(upkeep_kinds(run.engine, schedule))
    start_upkeep(run.engine, schedule, run.now())
    runner = Runner(SqlQueue(run.engine), registry, run.clock, report=_echo)
    if once:
        runner.run_all_due()
        return
    waker = waker_for(run.engine)
    try:
        serve(runner, waker, _stopped_by_signals())
    finally:
        waker.close()


def _echo(outcome: Outcome) -> None:
    work = outcome.work
    if outcome.failure is None:
        typer.echo(f"{outcome.at.isoformat()} {work.kind} for {work.key}: {outcome.summary or 'done'}")
        return
    then = f"retry at {outcome.retry_at.isoformat()}" if outcome.retry_at else "dead"
    failure = f"{outcome.failure.type}: {outcome.failure.message}"
    typer.echo(f"{outcome.at.isoformat()} {work.kind} for {work.key} failed ({then}): {failure}", err=True)


def _stopped_by_signals() -> threading.Event:
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda _number, _frame: stop.set())
    return stop
