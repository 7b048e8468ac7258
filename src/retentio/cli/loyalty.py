"""``retentio loyalty``: a customer's points balance, tier and ledger, and manual adjustments;
referrals (``retentio loyalty referrals``) and the membership club (``retentio loyalty club``).
Without ``--programme``, the first programme of the loyalty settings file."""

from __future__ import annotations

import orjson
import typer

from retentio.cli import club, referrals
from retentio.cli.context import Runtime, runtime
from retentio.loyalty import (
    LedgerError,
    MemberStanding,
    do_adjust,
    get_balance,
    list_entries,
    member_standing,
)

app = typer.Typer(help="Loyalty points: balance, ledger, adjust; referrals; the club.", no_args_is_help=True)
PROGRAMME_OPTION = typer.Option(None, "--programme", help="The programme (the settings file's first one).")
app.add_typer(referrals.app, name="referrals")
app.add_typer(club.app, name="club")


def _programme(run: Runtime, programme: str | None) -> str:
    return programme or next(iter(run.loyalty.programmes))


@app.command("balance")
def balance_command(customer_id: str, programme: str | None = PROGRAMME_OPTION) -> None:
    """A customer's available, pending and owed points, the tier and what the next one needs."""
    run = runtime()
    programme_id = _programme(run, programme)
    standing = None
    try:
        with run.reader.connect() as connection:
            balance = get_balance(connection, programme_id, customer_id, run.now())
            if programme_id in run.loyalty.programmes:
                settings = run.loyalty.programme(programme_id)
                standing = member_standing(connection, settings, customer_id, run.now())
    except LedgerError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"available {balance.available}\npending {balance.pending}\ndebt {balance.debt}")
    for line in _tier_lines(standing):
        typer.echo(line)


def _tier_lines(standing: MemberStanding | None) -> list[str]:
    if standing is None or standing.tier is None or standing.tier_since is None:
        return []
    lines = [f"tier {standing.tier.id} since {standing.tier_since.isoformat()}"]
    if standing.grace_until is not None:
        lines.append(f"grace until {standing.grace_until.isoformat()}")
    elif standing.next_review is not None:
        lines.append(f"next review {standing.next_review.isoformat()}")
    following = standing.next_tier
    if following is not None:
        unit = "orders" if following.measure == "orders" else "spend"
        until = f" by {following.by.isoformat()}" if following.by is not None else ""
        lines.append(f"next tier {following.level}: {unit} {following.needed} more{until}")
    return lines


@app.command("ledger")
def ledger_command(
    customer_id: str,
    programme: str | None = PROGRAMME_OPTION,
    limit: int = typer.Option(50, "--limit", help="Entries to show, newest first."),
) -> None:
    """A customer's entries, newest first, one JSON object a line."""
    run = runtime()
    try:
        with run.reader.connect() as connection:
            entries = list_entries(connection, _programme(run, programme), customer_id, limit)
    except LedgerError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for entry in entries:
        line = {
            "id": entry.id,
            "kind": entry.kind.value,
            "source": entry.source,
            "available": entry.available,
            "pending": entry.pending,
            "debt": entry.debt,
            "shortfall": entry.shortfall,
            "occurred_at": entry.occurred_at.isoformat(),
            "actor": entry.actor,
            "reason": entry.reason,
        }
        typer.echo(orjson.dumps(line).decode())


@app.command("adjust")
def adjust_command(
    customer_id: str,
    points: int = typer.Option(..., "--points", help="Points to add (or, negative, to take)."),
    reason: str = typer.Option(..., "--reason", help="Why: kept on the entry."),
    source: str = typer.Option(..., "--source", help="A key that makes a rerun of this command a no-op."),
    actor: str = typer.Option("cli", "--actor", help="Who makes the change."),
    programme: str | None = PROGRAMME_OPTION,
) -> None:
    """Add or take points by hand, with who and why; the same --source applies once:
    ``retentio loyalty adjust ann --points -50 --reason fraud --source ticket-9``."""
    run = runtime()
    try:
        with run.engine.begin() as connection:
            posted = do_adjust(
                connection,
                _programme(run, programme),
                customer_id,
                points,
                f"adjustment:{source}",
                run.now(),
                actor=actor,
                reason=reason,
            )
    except LedgerError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    said = "already applied" if posted.repeated else "applied"
    typer.echo(f"{said}: entry {posted.entry.id}; available {posted.balance.available}")
