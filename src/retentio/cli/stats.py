"""``retentio stats``: how much the store holds."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer

from retentio.cli.context import runtime
from retentio.ingest import count_store


def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Counts of customers, products, orders, order lines and events. Orders by status; events sent
    by clients apart from the ones Retentio derived (segment moves)."""
    run = runtime()
    with run.reader.connect() as connection:
        counts = count_store(connection)
    if as_json:
        typer.echo(orjson.dumps(counts.as_json()).decode())
        return
    _line("customers", counts.customers)
    _line("products", counts.products)
    _line("orders", counts.orders)
    for status, count in counts.orders_by_status.items():
        _line(status.replace("_", " "), count, under=True)
    _line("order lines", counts.order_lines)
    _line("events", counts.events)
    _line("sent by clients", counts.events_sent, under=True)
    _line("derived by Retentio", counts.events_derived, under=True)


def _line(name: str, count: int, under: bool = False) -> None:
    typer.echo(f"  {name:<20} {count:>12,}" if under else f"{name:<12} {count:>12,}")
