"""The root command: global options, and one sub-app per area registered in one visible place."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from retentio.cli import apikey as apikey_commands
from retentio.cli import customers as customer_commands
from retentio.cli import db as db_commands
from retentio.cli import demo as demo_commands
from retentio.cli import imports as import_commands
from retentio.cli import models
from retentio.cli import report as report_commands
from retentio.cli import segments as segment_commands
from retentio.cli import segments_builtin as builtin_segment_commands
from retentio.cli import serve as serve_commands
from retentio.cli import stats as stats_commands
from retentio.cli.context import configure

app = typer.Typer(
    name="retentio",
    help="Retentio: retention marketing on your own customer base.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    context: typer.Context,
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
        run = configure(as_of, database_url)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as-of") from error
    context.call_on_close(run.close)


app.add_typer(db_commands.app, name="db")
app.command("demo")(demo_commands.demo_command)
app.add_typer(customer_commands.customers_app, name="customers")
customer_commands.customers_app.command("standing")(builtin_segment_commands.standing_command)
app.add_typer(customer_commands.profiles_app, name="profiles")
app.command("serve")(serve_commands.serve_command)
app.add_typer(apikey_commands.app, name="apikey")
app.add_typer(import_commands.app, name="import")
app.command("stats")(stats_commands.stats_command)
app.add_typer(models.app, name="models")
app.command("report")(report_commands.report_command)
app.add_typer(segment_commands.app, name="segments")


def main() -> None:
    try:
        app()
    except (OperationalError, ProgrammingError) as error:
        # The one mistake every newcomer makes: pointing a command at a database never migrated.
        if not _is_missing_table(error):
            raise
        typer.echo("error: the database has no schema yet; run `retentio db upgrade` first", err=True)
        raise SystemExit(2) from None


def _is_missing_table(error: DBAPIError) -> bool:
    text = str(error.orig)
    return "no such table" in text or getattr(error.orig, "sqlstate", None) == "42P01"
