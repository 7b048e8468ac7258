"""``retentio channels``: check that every configured channel works with its settings."""

from __future__ import annotations

import typer

from retentio.cli.context import runtime
from retentio.cli.messaging_wiring import start_messaging

channels_app = typer.Typer(help="The configured channels: check them.", no_args_is_help=True)


@channels_app.command("check")
def check_command() -> None:
    """Connect to every configured channel with its settings (log in, ask who we are) and say which work."""
    run = runtime()
    messaging = start_messaging(run, check=False)
    try:
        problems = messaging.channels.check_all()
    finally:
        messaging.close()
    for name, problem in problems.items():
        typer.echo(f"{name.value:<9} {'ok' if problem is None else 'FAILED: ' + problem}")
    if any(problem is not None for problem in problems.values()):
        raise typer.Exit(1)
