"""``retentio stats``: how much the store holds."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer

from retentio.cli.context import runtime
from retentio.ingest.stats import count_store


def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Counts of customers, products, orders, order lines and events."""
    run = runtime()
    with run.reader.connect() as connection:
        counts = count_store(connection)
    if as_json:
        typer.echo(orjson.dumps(counts.as_json()).decode())
        return
    for name in ("customers", "products", "orders", "order_lines", "events"):
        typer.echo(f"{name.replace('_', ' '):<12} {getattr(counts, name):>12,}")
    for status, count in counts.orders_by_status.items():
        typer.echo(f"  {status.replace('_', ' '):<20} {count:>12,}")
