"""``retentio serve``: the HTTP API under uvicorn, with the log's consumers in a background loop."""

from __future__ import annotations

import threading

import typer

from retentio.cli.context import runtime
from retentio.db.migrate import current_revision, head_revision
from retentio.events import run_until_stopped


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log every request."),
    consumers: bool = typer.Option(
        True,
        "--consumers/--no-consumers",
        help="Keep segments up to date in this process (off when `retentio worker` does it).",
    ),
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) on one process."""
    # Imported here so that other commands do not pay for loading the web stack.
    import uvicorn

    from retentio.api import create_app
    from retentio.cli.messaging_wiring import report_readers

    run = runtime()
    current, newest = current_revision(run.engine), head_revision(run.engine)
    if current != newest:
        typer.echo(f"error: the schema is at {current}, not {newest}: run 'retentio db upgrade'", err=True)
        raise typer.Exit(2)
    wired = run.consumers()
    readers = report_readers(run)
    app = create_app(run.engine, run.clock, run.settings, [consumer.name for consumer in wired], readers)
    stop = threading.Event()
    loop = threading.Thread(
        target=run_until_stopped, args=(run.engine, wired, run.clock, stop), name="consumers", daemon=True
    )
    if consumers:
        loop.start()
    try:
        uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info")
    finally:
        stop.set()
        if consumers:
            loop.join(timeout=30)
