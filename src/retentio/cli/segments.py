"""``retentio segments``: where customers stand — the built-in families and custom segments."""

from __future__ import annotations

import typer

from retentio.cli import segments_builtin, segments_custom

app = typer.Typer(help="Segments: built-in families and custom rule-based segments.", no_args_is_help=True)
segments_custom.register(app)
segments_builtin.register(app)
