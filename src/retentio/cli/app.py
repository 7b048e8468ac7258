"""The root command: global options, and one sub-app per area registered in one visible place."""

from __future__ import annotations

from typing import Annotated

import typer

from retentio.cli.global_options import AS_OF_HELP, DATABASE_URL_HELP, lend_to
from retentio.cli.lazy import LazyCommand, LazyGroup

# Every command with its one line of help; its module is imported only when it runs.
COMMANDS = {
    "db": LazyCommand("retentio.cli.db:app", "The database schema."),
    "demo": LazyCommand(
        "retentio.cli.demo:demo_command",
        "Simulate a shop for DAYS days, feeding the real ingestion path, and report on its base.",
    ),
    "customers": LazyCommand("retentio.cli.customers:customers_app", "Customer records: show, merge."),
    "profiles": LazyCommand(
        "retentio.cli.customers:profiles_app", "The per-customer aggregates kept as events arrive."
    ),
    "serve": LazyCommand(
        "retentio.cli.serve:serve_command", "Serve the HTTP API (OpenAPI at /docs) on one process."
    ),
    "apikey": LazyCommand("retentio.cli.apikey:app", "API keys (sent as 'Authorization: Bearer KEY')."),
    "import": LazyCommand(
        "retentio.cli.imports:app", "Load events, customers, products and orders from files (idempotent)."
    ),
    "stats": LazyCommand(
        "retentio.cli.stats:stats_command", "Counts of customers, products, orders, order lines and events."
    ),
    "models": LazyCommand(
        "retentio.cli.models:app", "Predictive models of the base: CLV (BG/NBD + Gamma-Gamma)."
    ),
    "report": LazyCommand(
        "retentio.cli.report:report_command",
        "Retention, churn, repeat purchases, frequency, order value, activity, DAU/MAU, CLV and cohorts.",
    ),
    "segments": LazyCommand(
        "retentio.cli.segments:app", "Segments: built-in families and custom rule-based segments."
    ),
    "worker": LazyCommand(
        "retentio.cli.worker:app",
        "Keep segments up to date with the log, and run due work; 'status' shows the lag.",
    ),
    "templates": LazyCommand(
        "retentio.cli.templates:templates_app", "Message templates: create, list, preview, test-send."
    ),
    "channels": LazyCommand("retentio.cli.channels:channels_app", "The configured channels: check them."),
    "messages": LazyCommand("retentio.cli.messages:app", "Messages: send one, show one, list a customer's."),
    "coupons": LazyCommand(
        "retentio.cli.coupons:coupons_app", "Coupon pools: create, export, stats; check a code."
    ),
    "loyalty": LazyCommand(
        "retentio.cli.loyalty:app", "Loyalty points: balance, ledger, adjust; referrals; the club."
    ),
    "offers": LazyCommand(
        "retentio.cli.offers:app",
        "Personal offers: a customer's offer and its reasons, the A/B results, occasions coming due, "
        "repurchase intervals.",
    ),
    "recs": LazyCommand(
        "retentio.cli.recs:app", "Recommendations: train the recommenders, show a customer's, evaluate."
    ),
    "queue": LazyCommand(
        "retentio.cli.queue:app", "The due-work queue: list, stats, retry dead work, purge done work."
    ),
}

app = typer.Typer(
    name="retentio",
    cls=LazyGroup.with_commands(COMMANDS, prepare=lend_to),
    help="Retentio: retention marketing on your own customer base.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    context: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help=AS_OF_HELP + " Also accepted after the command."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help=DATABASE_URL_HELP + " Also accepted after the command."),
    ] = None,
) -> None:
    # Imported here: settings (pydantic-settings) are not needed to print `retentio --help`.
    from pydantic import ValidationError

    from retentio.cli.context import configure

    try:
        run = configure(as_of, database_url)
    except ValidationError as error:  # a RETENTIO_* setting
        for problem in error.errors():
            typer.echo(f"error: {problem['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as-of") from error
    context.call_on_close(run.close)


def main() -> None:
    try:
        app()
    except Exception as error:
        if _is_stalled_drain(error):
            typer.echo(f"error: {error}", err=True)
            raise SystemExit(1) from None
        # The one mistake every newcomer makes: pointing a command at a database never migrated.
        if not _is_missing_table(error):
            raise
        typer.echo("error: the database has no schema yet; run `retentio db upgrade` first", err=True)
        raise SystemExit(2) from None


def _is_stalled_drain(error: Exception) -> bool:
    # Imported here, like below: the log's module is loaded by then if it raised.
    from retentio.events import DrainStalled

    return isinstance(error, DrainStalled)


def _is_missing_table(error: Exception) -> bool:
    # Imported here: SQLAlchemy is loaded by then if it raised, and `--help` does not pay for it.
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if not isinstance(error, OperationalError | ProgrammingError):
        return False
    text = str(error.orig)
    return "no such table" in text or getattr(error.orig, "sqlstate", None) == "42P01"
