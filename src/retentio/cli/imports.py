"""``retentio import events|customers|products|orders``: files in, through the importers.

Exit code 0 when the import ran (bad rows are reported and skipped), 2 when the source cannot be
imported at all (missing or unreadable file, a mapping naming a column that is not there).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from retentio.cli.context import runtime
from retentio.cli.import_progress import print_summary, progress_bar
from retentio.ingest import (
    ImportContext,
    ImportReport,
    SourceError,
    TableOptions,
    import_cdnow,
    import_customers,
    import_jsonl,
    import_online_retail,
    import_orders,
    import_products,
    write_problems_csv,
)

app = typer.Typer(
    help="Load events, customers, products and orders from files (idempotent).", no_args_is_help=True
)


class OrderFormat(StrEnum):
    generic = "generic"
    cdnow = "cdnow"
    online_retail = "online-retail"


FileArgument = Annotated[Path, typer.Argument(help="The file to import.", show_default=False)]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="COLUMN=FIELD, repeatable (default: columns named like the fields)."),
]
DelimiterOption = Annotated[str | None, typer.Option("--delimiter", help="CSV delimiter (default: sniffed).")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="Excel sheet (default: the first).")]
DateFormatOption = Annotated[
    str | None, typer.Option("--date-format", help="strptime format of dates, e.g. %d/%m/%Y %H:%M.")
]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Events per transaction (≤ 10,000).")]
ErrorsOption = Annotated[
    Path | None, typer.Option("--errors", help="Write every skipped row (line, reason) to this CSV file.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
HistoricalOption = Annotated[
    bool,
    typer.Option(
        "--historical",
        help="A backfill: mark every event as history, so nothing that acts on customers reacts to it"
        " (events older than RETENTIO_HISTORY_CUTOFF_HOURS are history anyway).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")]

EVENT_LABELS = ("events accepted", "duplicates")
RECORD_LABELS = ("written", "unchanged")


@dataclass(frozen=True, slots=True)
class Output:
    errors: Path | None
    quiet: bool
    as_json: bool


@app.command("events")
def events_command(
    file: FileArgument,
    batch_size: BatchOption = 10_000,
    errors: ErrorsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    historical: HistoricalOption = False,
) -> None:
    """Events in the API envelope, one JSON object a line (plain or gzipped JSONL)."""
    run_import(
        "import events",
        file,
        lambda context: import_jsonl(context, file),
        Output(errors, quiet, as_json),
        batch_size=batch_size,
        historical=historical,
    )


@app.command("customers")
def customers_command(
    file: FileArgument,
    mapping: MapOption = None,
    delimiter: DelimiterOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    errors: ErrorsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Customers from CSV or Excel (.xlsx); only the columns present are changed."""
    options = TableOptions(tuple(mapping or ()), delimiter, sheet, date_format)
    output = Output(errors, quiet, as_json)
    run_import(
        "import customers",
        file,
        lambda context: import_customers(context, file, options),
        output,
        labels=RECORD_LABELS,
    )


@app.command("products")
def products_command(
    file: FileArgument,
    mapping: MapOption = None,
    delimiter: DelimiterOption = None,
    sheet: SheetOption = None,
    errors: ErrorsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Products from CSV or Excel (.xlsx); only the columns present are changed."""
    options = TableOptions(tuple(mapping or ()), delimiter, sheet)
    output = Output(errors, quiet, as_json)
    run_import(
        "import products",
        file,
        lambda context: import_products(context, file, options),
        output,
        labels=RECORD_LABELS,
    )


@app.command("orders")
def orders_command(
    file: FileArgument,
    format_: Annotated[
        OrderFormat, typer.Option("--format", help="generic order lines, or a ready format.")
    ] = OrderFormat.generic,
    mapping: MapOption = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Names the source in event ids (default: file stem).")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="For lines without a currency column.")
    ] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="For times without an offset.")] = "UTC",
    delimiter: DelimiterOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    batch_size: BatchOption = 10_000,
    errors: ErrorsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    historical: HistoricalOption = False,
) -> None:
    """Order lines grouped into orders, sent as order events (--format cdnow / online-retail for the
    public data sets)."""
    options = TableOptions(tuple(mapping or ()), delimiter, sheet, date_format, timezone, source, currency)
    importers: dict[OrderFormat, Callable[[ImportContext], ImportReport]] = {
        OrderFormat.generic: lambda context: import_orders(context, file, options),
        OrderFormat.cdnow: lambda context: import_cdnow(context, file),
        OrderFormat.online_retail: lambda context: import_online_retail(context, file, options),
    }
    run_import(
        f"import orders --format {format_.value}",
        file,
        importers[format_],
        Output(errors, quiet, as_json),
        batch_size=batch_size,
        historical=historical,
    )


def run_import(
    command: str,
    file: Path,
    importer: Callable[[ImportContext], ImportReport],
    output: Output,
    batch_size: int = 10_000,
    labels: tuple[str, str] = EVENT_LABELS,
    historical: bool = False,
) -> None:
    run = runtime()
    _require_schema(run.engine)
    if output.errors is not None and not output.errors.parent.is_dir():
        typer.echo(f"error: --errors {output.errors}: no folder {output.errors.parent}", err=True)
        raise typer.Exit(2)
    started = time.perf_counter()
    try:
        with progress_bar(output.quiet) as progress:
            context = ImportContext(
                run.engine,
                run.now(),
                run.ingest_options(historical),
                progress,
                batch_size,
                run.consumers(),
            )
            report = importer(context)
    except SourceError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as error:
        typer.echo(
            f"error: the database failed a batch ({type(error).__name__}: {getattr(error, 'orig', error)});"
            " the batches before it are stored, and running the same import again goes on safely",
            err=True,
        )
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    if output.errors is not None:
        write_problems_csv(report, output.errors)
    heading = {"command": command, "file": str(file), "seconds": round(seconds, 3)}
    print_summary(report, heading, labels, output.as_json)


def _require_schema(engine: Engine) -> None:
    if not inspect(engine).has_table("events"):
        typer.echo("error: the database has no schema yet; run `retentio db upgrade` first", err=True)
        raise typer.Exit(2)
