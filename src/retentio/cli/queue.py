"""``retentio queue list|stats|retry|purge``: the due-work queue as an operator sees it."""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

import typer

from retentio.cli.context import runtime
from retentio.schedule import (
    STATES,
    DueWork,
    NotRetryable,
    State,
    count_work,
    do_purge_done,
    do_retry_dead,
    list_work,
)

app = typer.Typer(
    help="The due-work queue: list, stats, retry dead work, purge done work.", no_args_is_help=True
)
ERROR_SHOWN = 100


@app.command("list")
def list_command(
    state: str | None = typer.Option(None, "--state", help="waiting, running, done or dead."),
    kind: str | None = typer.Option(None, "--kind", help="Only this kind of work."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many rows, earliest due first."),
) -> None:
    """Rows of the queue, earliest due first, with their last error."""
    run = runtime()
    with run.reader.connect() as connection:
        rows = list_work(connection, _state(state), kind, limit)
    for work in rows:
        typer.echo(_line(work))
    if not rows:
        typer.echo(
            "no due work" + (f" in state {state}" if state else "") + (f" of kind {kind}" if kind else "")
        )


@app.command("stats")
def stats_command() -> None:
    """Rows per kind and state, and the oldest due time of each kind's waiting rows."""
    run = runtime()
    with run.reader.connect() as connection:
        kinds = count_work(connection)
    typer.echo(f"{'kind':<28}" + "".join(f"{name:>10}" for name in STATES) + "  oldest due")
    for entry in kinds:
        oldest = entry.oldest_due.isoformat() if entry.oldest_due else "-"
        typer.echo(
            f"{entry.kind:<28}" + "".join(f"{entry.by_state[name]:>10,}" for name in STATES) + f"  {oldest}"
        )
    if not kinds:
        typer.echo("the queue is empty")


@app.command("retry")
def retry_command(
    ids: list[int] | None = typer.Argument(
        None, help="Ids of dead rows (see `retentio queue list --state dead`)."
    ),
    all_dead: bool = typer.Option(False, "--all-dead", help="Every dead row."),
) -> None:
    """Send dead rows back to the queue, due now, with their attempts counted afresh."""
    if bool(ids) == all_dead:
        _fail("give the ids of dead rows, or --all-dead")
    run = runtime()
    try:
        with run.engine.begin() as connection:
            retried = do_retry_dead(connection, None if all_dead else list(ids or []), run.now())
    except NotRetryable as error:
        _fail(str(error))
    typer.echo(
        f"{len(retried)} dead rows waiting again" + (f": {', '.join(map(str, retried))}" if retried else "")
    )


@app.command("purge")
def purge_command(
    older_than_days: int = typer.Option(
        30, "--older-than-days", min=1, help="Done at least this many days ago."
    ),
) -> None:
    """Delete done rows; their keys no longer keep the same work from being enqueued again."""
    run = runtime()
    with run.engine.begin() as connection:
        deleted = do_purge_done(connection, run.now() - timedelta(days=older_than_days))
    typer.echo(f"{deleted} done rows deleted")


def _line(work: DueWork) -> str:
    due = work.due_at.isoformat()
    line = f"{work.id:>8}  {work.kind}  {work.key}  {work.state}  due {due}  attempts {work.attempts}"
    if work.last_error_type:
        error = (work.last_error or "").splitlines()[0] if work.last_error else ""
        line += f"  {work.last_error_type}: {error[:ERROR_SHOWN]}"
    return line


def _state(text: str | None) -> State | None:
    if text is None:
        return None
    for state in STATES:
        if text == state:
            return state
    raise typer.BadParameter(f"{text!r} is not one of {', '.join(STATES)}", param_hint="--state")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
