"""``retentio segments refresh``: everything at once — the built-in families, then every custom
segment (a custom rule may read the standing) — or the part the options narrow it to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
import typer

from retentio.cli.segment_settings import SETTINGS_OPTION
from retentio.cli.segments_builtin import (
    EVERYONE_OPTION,
    NO_EVENTS_OPTION,
    refresh_builtin,
    refresh_document,
)
from retentio.cli.segments_builtin import refresh_line as builtin_line
from retentio.cli.segments_custom import refresh_custom
from retentio.cli.segments_custom import refresh_line as custom_line


@dataclass(frozen=True, slots=True)
class Scope:
    """What one refresh covers: the built-in families or not, and which custom segments (None:
    every one; an empty tuple: none)."""

    builtin: bool
    custom: tuple[str, ...] | None


def choose_scope(
    named: list[str], *, builtin_only: bool, custom_only: bool, builtin_options: list[str]
) -> Scope:
    """The scope the options ask for; ``ValueError`` naming the options that contradict each other."""
    if builtin_only and named:
        raise ValueError("--builtin-only cannot go with --custom or a segment name")
    if builtin_only and custom_only:
        raise ValueError("--builtin-only cannot go with --custom-only")
    builtin = not (custom_only or named)
    if not builtin and builtin_options:
        raise ValueError(
            f"{' and '.join(builtin_options)} applies to the built-in families, not refreshed here"
        )
    if builtin_only:
        return Scope(builtin=True, custom=())
    return Scope(builtin=builtin, custom=tuple(dict.fromkeys(named)) or None)


def refresh_command(
    name: str | None = typer.Argument(None, help="One custom segment: the same as --custom NAME."),
    custom: list[str] | None = typer.Option(
        None, "--custom", metavar="NAME", help="Only this custom segment (repeat for several)."
    ),
    builtin_only: bool = typer.Option(
        False, "--builtin-only", help="Only the built-in families (RFM, lifecycle, ladder, bad customers)."
    ),
    custom_only: bool = typer.Option(False, "--custom-only", help="Every custom segment, not the built-in."),
    config: Path | None = SETTINGS_OPTION,
    everyone: bool = EVERYONE_OPTION,
    no_events: bool = NO_EVENTS_OPTION,
    as_json: bool = typer.Option(False, "--json", help="One JSON object."),
) -> None:
    """Recompute the built-in families (RFM edges and every customer's standing, one transaction),
    then every custom segment in dependency order (one transaction each). Conditions on time
    (windows, days since) move customers only in a refresh or the sweep."""
    named = [*([name] if name else []), *(custom or [])]
    flags = [flag for flag, given in (("--everyone", everyone), ("--no-events", no_events)) if given]
    try:
        scope = choose_scope(named, builtin_only=builtin_only, custom_only=custom_only, builtin_options=flags)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    builtin = refresh_builtin(config, everyone=everyone, no_events=no_events) if scope.builtin else None
    results = [] if scope.custom == () else refresh_custom(list(scope.custom) if scope.custom else None)
    if as_json:
        document = {
            "builtin": refresh_document(*builtin) if builtin else None,
            "custom": [
                {"name": r.name, "size": r.size, "entered": r.entered, "exited": r.exited} for r in results
            ],
        }
        typer.echo(orjson.dumps(document).decode())
        return
    if builtin:
        typer.echo(builtin_line("refreshed", *builtin))
    for result in results:
        typer.echo(custom_line(result))
    if scope.custom is None and not results:
        typer.echo("no custom segments yet")
