"""``retentio db``: schema migrations."""

from __future__ import annotations

import typer

from retentio.cli.context import runtime
from retentio.db.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Create or migrate the schema to the newest version."""
    engine = runtime().engine
    upgrade(engine)
    typer.echo(f"schema at revision {current_revision(engine)} ({engine.url.render_as_string()})")


@app.command("current")
def current_command() -> None:
    """Show the schema's revision and the newest one this version knows."""
    engine = runtime().reader
    typer.echo(f"current {current_revision(engine)}, newest {head_revision(engine)}")
