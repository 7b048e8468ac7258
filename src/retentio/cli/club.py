"""``retentio loyalty club``: a customer's membership, and the daily run of reminders and lapses
(normally the worker's job)."""

from __future__ import annotations

import typer

from retentio.cli.context import runtime
from retentio.loyalty import ClubError, do_club_upkeep, get_club

app = typer.Typer(
    help="The membership club: a customer's membership; reminders and lapses.", no_args_is_help=True
)


@app.command("show")
def show_command(
    customer_id: str,
    programme: str | None = typer.Option(
        None, "--programme", help="The programme (default: the only one with a club)."
    ),
) -> None:
    """Whether the customer is a member now, until when, and their terms."""
    run = runtime()
    with_club = sorted(p.id for p in run.loyalty.programmes.values() if p.membership is not None)
    if programme is None and len(with_club) == 1:
        programme = with_club[0]
    if programme is None or programme not in with_club:
        typer.echo(f"error: programme: name one with a club ({', '.join(with_club) or 'none'})", err=True)
        raise typer.Exit(2)
    try:
        with run.reader.connect() as connection:
            view = get_club(connection, programme, customer_id, run.now())
    except ClubError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    membership = view.membership
    typer.echo(f"member {'yes' if view.member else 'no'}")
    if membership is not None:
        typer.echo(f"status {membership.status} (via {membership.via})")
        typer.echo(f"from {membership.started_at.isoformat()} to {membership.ends_at.isoformat()}")
        typer.echo(f"lapses {membership.lapses_at.isoformat()}")
    for term in view.terms:
        ended = " (ended)" if term.ended else ""
        typer.echo(
            f"term {term.source} {term.via} {term.months} months from {term.bought_at.isoformat()}{ended}"
        )


@app.command("run")
def run_command() -> None:
    """Send the renewal reminders due and lapse the memberships past their grace (the worker does it
    daily)."""
    run = runtime()
    with run.engine.begin() as connection:
        result = do_club_upkeep(connection, run.loyalty, run.now())
    typer.echo(f"{result.reminded} reminded, {result.lapsed} lapsed")
