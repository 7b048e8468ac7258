"""``--as-of`` and ``--database-url`` before the command or after it: ``retentio --as-of D report``
and ``retentio report --as-of D`` (and ``retentio segments refresh --as-of D``) mean the same.

The root callback configures the runtime from the options given before the command. Every command
and group the root loads is lent the same two options (``lend_to``); given after the command, they
change that runtime while the command's arguments are read, before it runs.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import typer
import typer.main

AS_OF_HELP = "Fix 'now' (ISO 8601 time or date); also RETENTIO_NOW."
DATABASE_URL_HELP = "Override RETENTIO_DATABASE_URL."


def lend_to(command: Any) -> Any:
    """Add the two options to ``command`` and, for a group, to every command under it."""
    taken = {name for param in command.params for name in param.opts}
    command.params.extend(param for param in _options() if not taken & set(param.opts))
    for sub in getattr(command, "commands", {}).values():
        lend_to(sub)
    return command


def _as_of_given(value: str | None) -> None:
    if value is None:
        return
    from retentio.cli.context import override

    try:
        override(as_of=value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _database_url_given(value: str | None) -> None:
    if value:
        from retentio.cli.context import override

        override(database_url=value)


def _lent(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help=AS_OF_HELP, callback=_as_of_given, expose_value=False),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help=DATABASE_URL_HELP, callback=_database_url_given, expose_value=False
        ),
    ] = None,
) -> None:
    """Never runs: Typer builds the two options from its signature, as for every other command."""


@cache
def _options() -> list[Any]:
    holder = typer.Typer(add_completion=False)
    holder.command()(_lent)
    return list(typer.main.get_command(holder).params)
