"""``retentio customers`` and ``retentio profiles``: identity and the derived aggregates."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import typer

from retentio.cli.context import runtime
from retentio.cli.segment_settings import SETTINGS_OPTION, load_segment_settings
from retentio.cli.segments_builtin import standing_command
from retentio.customers import MergeRefused, get_customer, get_profile
from retentio.events import drain
from retentio.ingest import MergeOptions, do_merge_customers, rebuild_all

customers_app = typer.Typer(help="Customer records: show, merge.", no_args_is_help=True)
profiles_app = typer.Typer(help="The per-customer aggregates kept as events arrive.", no_args_is_help=True)


@customers_app.command("merge")
def merge_command(
    survivor: str = typer.Argument(..., help="The customer id that stays."),
    merged: str = typer.Argument(..., help="The customer id merged into it."),
    config: Path | None = SETTINGS_OPTION,
) -> None:
    """Merge two records of one person: all history moves to SURVIVOR, whose segments follow."""
    run = runtime()
    run.use_segments(load_segment_settings(config))
    options = MergeOptions(run.settings.default_currency, run.segments)
    # What the merged record did must be read by the segments before its history changes hands.
    drain(run.engine, run.consumers(), run.clock)
    try:
        result = do_merge_customers(run.engine, survivor, merged, run.now(), options)
    except MergeRefused as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"merged {merged} into {survivor}: {result.events_moved} events moved")


@customers_app.command("show")
def show_command(customer_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """A customer's record and profile."""
    run = runtime()
    with run.reader.connect() as connection:
        record = get_customer(connection, customer_id, run.now())
        profile = get_profile(connection, customer_id, run.settings.default_currency, run.now())
    if record is None or profile is None:
        typer.echo(f"error: no customer {customer_id!r}", err=True)
        raise typer.Exit(1)
    document = {"customer": record.model_dump(mode="json"), "profile": profile.as_json()}
    if as_json:
        typer.echo(orjson.dumps(document).decode())
        return
    typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


@profiles_app.command("rebuild")
def rebuild_command() -> None:
    """Recompute every order and profile from the event log (one transaction)."""
    run = runtime()
    started = time.perf_counter()
    with run.engine.begin() as connection:
        replayed = rebuild_all(connection, run.now(), run.settings.default_currency)
    typer.echo(f"rebuilt profiles from {replayed} events in {time.perf_counter() - started:.1f} s")


customers_app.command("standing")(standing_command)
