"""The segment settings file (``--config`` or ``RETENTIO_SEGMENTS_CONFIG``) as every command reads it:
the refresh, the sweep, the worker and the report's explanations."""

from __future__ import annotations

from pathlib import Path

import typer

from retentio.segments import ConfigError, SegmentsConfig, load_config

SETTINGS_OPTION = typer.Option(
    None,
    "--config",
    envvar="RETENTIO_SEGMENTS_CONFIG",
    help="A TOML file of segment thresholds (see docs/segments.md); defaults otherwise.",
)


def load_segment_settings(path: Path | None) -> SegmentsConfig:
    """The settings in ``path`` (the defaults without one); a wrong file ends the command with exit
    code 2 and the reason."""
    try:
        return load_config(path)
    except ConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
