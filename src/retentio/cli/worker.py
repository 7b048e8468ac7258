"""``retentio worker``: the log's consumers (segments) in a background loop, and due work — the daily
segment upkeep at ``RETENTIO_SWEEP_AT`` in ``RETENTIO_TIMEZONE`` — until stopped (SIGTERM or Ctrl-C
finish the batch in hand first); ``retentio worker status`` shows how far behind the log each
consumer is."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import typer

from retentio.cli.context import Runtime, runtime
from retentio.cli.messaging_wiring import Messaging, start_messaging
from retentio.cli.segment_settings import SETTINGS_OPTION, load_segment_settings
from retentio.events import consumer_lags, drain, run_until_stopped
from retentio.loyalty import (
    checkout_kinds,
    club_kinds,
    coupon_upkeep_kinds,
    earning_kinds,
    ledger_kinds,
    referral_kinds,
    start_club_upkeep,
    start_coupon_upkeep,
    start_earning_upkeep,
    start_ledger_upkeep,
    start_referral_upkeep,
)
from retentio.offers import (
    load_recs_config,
    occasion_kinds,
    recs_kinds,
    start_occasion_sweep,
    start_recs_training,
    waiting_kinds,
)
from retentio.schedule import Outcome, Registry, Runner, SqlQueue, serve_due_work, waker_for
from retentio.segments import Schedule, start_upkeep, upkeep_kinds

app = typer.Typer(
    help="Keep segments up to date with the log, and run due work; 'status' shows the lag.",
)


@app.callback(invoke_without_command=True)
def worker_command(
    context: typer.Context,
    once: bool = typer.Option(
        False, "--once", help="Catch up with the log, run the work due now, and exit (for cron)."
    ),
    config: Path | None = SETTINGS_OPTION,
) -> None:
    """Keep segments up to date with the log (any number of workers may run on PostgreSQL), and run
    due work, such as the daily segment upkeep (moves, RFM, custom segments) once per local day."""
    if context.invoked_subcommand is not None:
        return
    run = runtime()
    run.use_segments(load_segment_settings(config))
    schedule = Schedule(run.settings.sweep_at, run.settings.zone, run.settings.default_currency, run.segments)
    typer.echo(f"consuming the log; daily upkeep at {schedule.at.strftime('%H:%M')} {run.settings.timezone}")
    messaging = start_messaging(run)
    try:
        _work(run, schedule, messaging, once)
    finally:
        messaging.close()


def _work(run: Runtime, schedule: Schedule, messaging: Messaging, once: bool) -> None:
    recs = load_recs_config(run.settings.recs_config)
    registry = Registry(
        [
            *upkeep_kinds(run.engine, schedule),
            *coupon_upkeep_kinds(schedule.daily),
            *ledger_kinds(run.engine, schedule.daily),
            *earning_kinds(schedule.daily, run.loyalty),
            *referral_kinds(run.loyalty, schedule.daily),
            *club_kinds(run.loyalty, schedule.daily),
            *checkout_kinds(),  # each checkout reservation's release at its timeout
            *messaging.kinds(),
            *occasion_kinds(run.occasions, schedule.daily),  # intervals, run-outs, birthdays, renewals
            *waiting_kinds(run.occasions),  # each cart or view wait at the end of its window
            *recs_kinds(run.engine, schedule.daily, recs),
        ]
    )
    start_upkeep(run.engine, schedule, run.now())
    start_coupon_upkeep(run.engine, schedule.daily, run.now())
    # The points ledger's nightly activation and expiry, at the same local time as the upkeep.
    start_ledger_upkeep(run.engine, schedule.daily, run.now())
    # Tier reviews after grace and birthday rewards, referral rewards whose return window closed,
    # club reminders and lapses: the same local time.
    start_earning_upkeep(run.engine, schedule.daily, run.now())
    start_referral_upkeep(run.engine, schedule.daily, run.now())
    start_club_upkeep(run.engine, schedule.daily, run.now())
    start_occasion_sweep(run.engine, schedule.daily, run.now())
    # The recommenders' refresh, at its own local time (docs/recommendations.md).
    start_recs_training(run.engine, schedule.daily, recs, run.now())
    runner = Runner(SqlQueue(run.engine), registry, run.clock, report=_echo)
    consumers = run.consumers()
    if once:
        consumed = drain(run.engine, consumers, run.clock)
        runner.run_all_due()
        consumed += drain(run.engine, consumers, run.clock)  # the upkeep's own moves are events too
        typer.echo(f"{consumed:,} events consumed")
        return
    stop = _stopped_by_signals()
    loop = threading.Thread(
        target=run_until_stopped, args=(run.engine, consumers, run.clock, stop), name="consumers", daemon=True
    )
    loop.start()
    waker = waker_for(run.engine)
    try:
        serve_due_work(runner, waker, stop)
    finally:
        stop.set()
        waker.close()
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
