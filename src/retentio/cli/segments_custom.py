"""``retentio segments create|show|export|list``: custom segments from the command line (their
refresh is part of ``segments refresh``)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import orjson
import typer

from retentio.cli.context import runtime
from retentio.cli.csv_export import OutputRefused, open_output, write_csv
from retentio.segments import (
    CustomRefreshResult,
    InvalidRule,
    SegmentExists,
    SegmentNotFound,
    SegmentView,
    do_create_segment,
    do_refresh_segment,
    export_members,
    get_segment,
    list_segments,
    load_text,
    parse_definition,
    refresh_segments,
    segment_sizes,
)


def create_command(
    name: str = typer.Argument(..., help="The segment's name: lower-case letters, digits, _ and -."),
    rule: str = typer.Option(..., "--rule", help="A JSON or YAML rule file ('-' reads stdin)."),
    description: str | None = typer.Option(None, help="Overrides the file's description."),
    refresh: bool = typer.Option(True, help="Compute the members right away."),
) -> None:
    """Create a custom segment from a rule file (see docs/custom-segments.md)."""
    run = runtime()
    try:
        definition = parse_definition(load_text(_read(rule)))
        if description is not None:
            definition = type(definition)(definition.rule, description)
        with run.engine.begin() as connection:
            view = do_create_segment(connection, name, definition, run.now())
            if refresh:
                do_refresh_segment(connection, name, run.now(), run.settings.default_currency)
                view = get_segment(connection, name) or view
    except InvalidRule as error:
        _refuse(error)
    except SegmentExists as error:
        _fail(str(error))
    typer.echo(f"created segment {name}: {view.size} customers" + ("" if refresh else " (not refreshed)"))


def refresh_custom(names: list[str] | None) -> list[CustomRefreshResult]:
    """Refresh the named custom segments (all when None), one transaction each; an unknown name
    ends the command (exit code 1) before any is refreshed."""
    run = runtime()
    try:
        return refresh_segments(run.engine, names, run.now(), run.settings.default_currency)
    except SegmentNotFound as error:
        _fail(str(error))


def refresh_line(result: CustomRefreshResult) -> str:
    return f"{result.name}: {result.size} customers (+{result.entered} entered, -{result.exited} exited)"


def show_command(name: str, as_json: bool = typer.Option(False, "--json", help="One JSON object.")) -> None:
    """A segment's rule, size and size over time."""
    run = runtime()
    with run.reader.connect() as connection:
        view = get_segment(connection, name)
        points = segment_sizes(connection, name) if view is not None else []
    if view is None:
        _fail(f"no segment named {name!r}")
    document = _document(view)
    document["sizes"] = [
        {"at": p.at.isoformat(), "source": p.source, "size": p.size, "entered": p.entered, "exited": p.exited}
        for p in points
    ]
    if as_json:
        typer.echo(orjson.dumps(document).decode())
        return
    typer.echo(f"{view.name}" + (f" — {view.description}" if view.description else ""))
    typer.echo(f"size: {view.size} (refreshed {_when(view.refreshed_at)})")
    typer.echo("rule:\n" + orjson.dumps(view.rule, option=orjson.OPT_INDENT_2).decode())
    for point in points[-20:]:
        moved = f"+{point.entered} -{point.exited}"
        typer.echo(f"  {point.at.isoformat()}  {point.source:<7}  {point.size:>9}  {moved}")


def export_command(
    name: str,
    file: Path = typer.Argument(..., help="Where to write the CSV ('-' for stdout)."),
    force: bool = typer.Option(False, "--force", "--overwrite", help="Replace FILE if it exists."),
) -> None:
    """Write the members with their contacts to a CSV file (UTF-8, header row). A text that a
    spreadsheet would run as a formula (starting with = + - @) is written with a leading '."""
    run = runtime()
    try:
        with run.reader.connect() as connection:
            rows = export_members(connection, name)
            header = next(rows)  # the segment is looked up here, before the file is created
            with open_output(file, force) as handle:
                count = write_csv(handle, header, rows)
    except SegmentNotFound as error:
        _fail(str(error))
    except OutputRefused as error:
        _fail(str(error), code=2)
    if str(file) != "-":
        typer.echo(f"exported {count} customers of {name} to {file}")


def list_command(as_json: bool = typer.Option(False, "--json", help="One JSON array.")) -> None:
    """Every custom segment with its size."""
    run = runtime()
    with run.reader.connect() as connection:
        views = list_segments(connection)
    if as_json:
        typer.echo(orjson.dumps([_document(view) for view in views]).decode())
        return
    for view in views:
        typer.echo(f"{view.name:<32} {view.size:>9}  refreshed {_when(view.refreshed_at)}")


def register(app: typer.Typer) -> None:
    """Add these commands to the ``segments`` group."""
    app.command("create")(create_command)
    app.command("show")(show_command)
    app.command("export")(export_command)
    app.command("list")(list_command)


def _document(view: SegmentView) -> dict[str, Any]:
    return {
        "name": view.name,
        "description": view.description,
        "rule": view.rule,
        "size": view.size,
        "created_at": view.created_at.isoformat(),
        "refreshed_at": view.refreshed_at.isoformat() if view.refreshed_at else None,
    }


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(f"cannot read {source}: {error}", param_hint="--rule") from None


def _when(at: datetime | None) -> str:
    return at.isoformat() if at is not None else "never"


def _refuse(error: InvalidRule) -> NoReturn:
    typer.echo("error: the rule is refused:", err=True)
    for item in error.errors:
        typer.echo(f"  {item.path}: {item.message}", err=True)
    raise typer.Exit(2)


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
