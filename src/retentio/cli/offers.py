"""``retentio offers``: personal offers — the occasions that make one due and the products'
repurchase intervals."""

from __future__ import annotations

import typer

from retentio.cli.offer_occasions import occasions_command, replenishment_command, sweep_command

app = typer.Typer(help="Personal offers: occasions coming due, repurchase intervals.", no_args_is_help=True)
app.command("occasions")(occasions_command)
app.command("replenishment")(replenishment_command)
app.command("sweep")(sweep_command)
