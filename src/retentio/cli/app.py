"""The root command: global options, and one sub-app per area registered in one visible place."""

from __future__ import annotations

from typing import Annotated

import typer

from retentio.cli import customers as customer_commands
from retentio.cli import db as db_commands
from retentio.cli.context import configure

app = typer.Typer(
    name="retentio",
    help="Retentio: retention marketing on your own customer base.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Fix 'now' (ISO 8601 time or date); also RETENTIO_NOW."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Override RETENTIO_DATABASE_URL."),
    ] = None,
) -> None:
    try:
        configure(as_of, database_url)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as-of") from error


app.add_typer(db_commands.app, name="db")
app.add_typer(customer_commands.customers_app, name="customers")
app.add_typer(customer_commands.profiles_app, name="profiles")


def main() -> None:
    app()
