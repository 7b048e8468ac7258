"""``retentio segments refresh-builtin|sweep`` and ``retentio customers standing``: the built-in
families (RFM, lifecycle, Hunt's ladder, bad customers) from the command line. ``refresh-builtin``
is ``segments refresh --builtin-only`` under its older name."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, NoReturn

import orjson
import typer

from retentio.cli.context import runtime
from retentio.cli.segment_settings import SETTINGS_OPTION, load_segment_settings
from retentio.segments import StandingRefreshResult, do_refresh_standing, do_sweep, get_standing


def register(app: typer.Typer) -> None:
    """Add these commands to the ``segments`` group."""
    app.command("refresh-builtin")(refresh_command)
    app.command("sweep")(sweep_command)


EVERYONE_OPTION = typer.Option(False, "--everyone", help="Re-decide every customer, not only who can move.")
NO_EVENTS_OPTION = typer.Option(
    False, "--no-events", help="Backfill: store the standing without writing moves as events."
)


def refresh_command(
    config: Path | None = SETTINGS_OPTION,
    everyone: bool = EVERYONE_OPTION,
    no_events: bool = NO_EVENTS_OPTION,
    as_json: bool = typer.Option(False, "--json", help="One JSON object."),
) -> None:
    """Recompute the RFM edges from the base and every customer's standing (one transaction)."""
    result, seconds = refresh_builtin(config, everyone=everyone, no_events=no_events)
    _report("refreshed", result, seconds, as_json)


def refresh_builtin(
    config: Path | None, *, everyone: bool, no_events: bool
) -> tuple[StandingRefreshResult, float]:
    """The standing refresh in one transaction, and the seconds it took."""
    run, settings = runtime(), load_segment_settings(config)
    started = time.perf_counter()
    with run.engine.begin() as connection:
        result = do_refresh_standing(connection, run.now(), settings, record=not no_events, everyone=everyone)
    return result, time.perf_counter() - started


def sweep_command(
    config: Path | None = SETTINGS_OPTION, as_json: bool = typer.Option(False, "--json")
) -> None:
    """Move the customers whose standing changes with time alone (at risk, churned, windows closing)."""
    run, settings = runtime(), load_segment_settings(config)
    started = time.perf_counter()
    with run.engine.begin() as connection:
        result = do_sweep(connection, run.now(), settings)
    _report("swept", result, time.perf_counter() - started, as_json)


def standing_command(
    customer_id: str, as_json: bool = typer.Option(False, "--json", help="One JSON object.")
) -> None:
    """Where a customer stands: RFM, lifecycle, ladder step (and what to send), bad-customer flags."""
    run = runtime()
    with run.reader.connect() as connection:
        standing = get_standing(connection, customer_id)
    if standing is None:
        _fail(f"no standing for {customer_id!r} yet (no events, or never refreshed)")
    document = standing.as_json()
    option = 0 if as_json else orjson.OPT_INDENT_2
    typer.echo(orjson.dumps(document, option=option).decode())


def _report(verb: str, result: StandingRefreshResult, seconds: float, as_json: bool) -> None:
    if as_json:
        typer.echo(orjson.dumps(refresh_document(result, seconds)).decode())
        return
    typer.echo(refresh_line(verb, result, seconds))


def refresh_line(verb: str, result: StandingRefreshResult, seconds: float) -> str:
    return f"{verb} standing: {result.changed} customers changed, {result.new} new, in {seconds:.1f} s"


def refresh_document(result: StandingRefreshResult, seconds: float) -> dict[str, Any]:
    edges = result.edges
    return {
        "changed": result.changed,
        "new": result.new,
        "seconds": round(seconds, 3),
        "rfm_edges": None
        if edges is None
        else {
            "buyers": edges.buyers,
            "recency": list(edges.recency),
            "frequency": list(edges.frequency),
            "monetary": list(edges.monetary),
        },
    }


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
