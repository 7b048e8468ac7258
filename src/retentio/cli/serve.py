"""``retentio serve``: the HTTP API under uvicorn."""

from __future__ import annotations

import typer

from retentio.cli.context import runtime
from retentio.db.migrate import current_revision, head_revision


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log every request."),
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on one process."""
    # Imported here so that other commands do not pay for loading the web stack.
    import uvicorn

    from retentio.api.app import create_app

    run = runtime()
    current, newest = current_revision(run.engine), head_revision(run.engine)
    if current != newest:
        typer.echo(f"error: the schema is at {current}, not {newest}: run 'retentio db upgrade'", err=True)
        raise typer.Exit(2)
    app = create_app(run.engine, run.clock, run.settings)
    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info")
