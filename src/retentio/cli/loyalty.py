"""``retentio loyalty``: a customer's points balance and ledger, and manual adjustments."""

from __future__ import annotations

import orjson
import typer

from retentio.cli.context import runtime
from retentio.loyalty import LedgerError, do_adjust, get_balance, list_entries

app = typer.Typer(help="Loyalty points: balance, ledger, adjust.", no_args_is_help=True)
PROGRAMME_OPTION = typer.Option("points", "--programme", help="The points programme.")


@app.command("balance")
def balance_command(customer_id: str, programme: str = PROGRAMME_OPTION) -> None:
    """A customer's available, pending and owed points."""
    run = runtime()
    try:
        with run.reader.connect() as connection:
            balance = get_balance(connection, programme, customer_id, run.now())
    except LedgerError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"available {balance.available}\npending {balance.pending}\ndebt {balance.debt}")


@app.command("ledger")
def ledger_command(
    customer_id: str,
    programme: str = PROGRAMME_OPTION,
    limit: int = typer.Option(50, "--limit", help="Entries to show, newest first."),
) -> None:
    """A customer's entries, newest first, one JSON object a line."""
    run = runtime()
    try:
        with run.reader.connect() as connection:
            entries = list_entries(connection, programme, customer_id, limit)
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
    programme: str = PROGRAMME_OPTION,
) -> None:
    """Add or take points by hand, with who and why; the same --source applies once:
    ``retentio loyalty adjust ann --points -50 --reason fraud --source ticket-9``."""
    run = runtime()
    try:
        with run.engine.begin() as connection:
            posted = do_adjust(
                connection,
                programme,
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
