"""``retentio segments``: where customers stand — the built-in families and custom segments."""

from __future__ import annotations

import typer

from retentio.cli import segments_builtin, segments_custom, segments_refresh

app = typer.Typer(help="Segments: built-in families and custom rule-based segments.", no_args_is_help=True)
segments_custom.register(app)
app.command("refresh")(segments_refresh.refresh_command)
segments_builtin.register(app)
