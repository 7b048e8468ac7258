"""``retentio report``: the base's figures for a period and segment, each with its definition (ANA-8)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from retentio.analytics import (
    Figure,
    MetricSettings,
    Period,
    Report,
    Unit,
    UnknownSegment,
    build_report,
    report_document,
    resolve_segment,
)
from retentio.cli.context import runtime
from retentio.cli.segment_names import bad_customers_meaning, meaning
from retentio.cli.segment_settings import SETTINGS_OPTION, load_segment_settings
from retentio.clock import parse_instant
from retentio.loyalty import (
    LoyaltyConfigError,
    LoyaltyReport,
    build_loyalty_reports,
    load_loyalty_config,
    loyalty_report_document,
)
from retentio.segments import DEFAULT_CONFIG, SegmentsConfig


def report_command(
    start: Annotated[
        str | None, typer.Option("--from", help="Period start (ISO date or time); default: --to − 365 days.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Period end, exclusive (ISO date or time); default: now.")
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option(help="A custom segment, or a built-in family:value (rfm:Champions, lifecycle:loyal)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else.")] = False,
    window_days: Annotated[
        int, typer.Option(min=1, max=3650, help="In the base = a non-cancelled order in this many days.")
    ] = 365,
    margin: Annotated[
        str | None, typer.Option(help="Margin share for the margin CLV (0.3); default: from the catalogue.")
    ] = None,
    discount_rate: Annotated[str, typer.Option(help="Discount rate per period for the margin CLV.")] = "0.10",
    currency: Annotated[
        str | None, typer.Option(help="Currency of the money figures; default: that of most orders.")
    ] = None,
    config: Path | None = SETTINGS_OPTION,
) -> None:
    """Retention, churn, repeat purchases, frequency, order value, activity, DAU/MAU, CLV and cohorts."""
    run = runtime()
    period = _period(start, end, run.now())
    segments_config = load_segment_settings(config)
    settings = MetricSettings(
        base_window_days=window_days,
        discount_rate=_decimal("--discount-rate", discount_rate),
        margin_share=_decimal("--margin", margin) if margin is not None else None,
        currency=currency.upper() if currency else None,
        fallback_currency=run.settings.default_currency,
    )
    with run.reader.connect() as connection:
        try:
            selection = resolve_segment(connection, segment) if segment is not None else None
        except UnknownSegment as error:
            raise typer.BadParameter(str(error), param_hint="--segment") from None
        report = build_report(connection, period, run.now(), settings, selection)
        loyalty = _loyalty_reports(connection, run.settings.loyalty_config, period, settings)
    if as_json:
        document = report_document(report)
        document["loyalty"] = [loyalty_report_document(programme) for programme in loyalty]
        typer.echo(orjson.dumps(document).decode())
        return
    console = Console()
    print_report(report, console, segments_config)
    for programme in loyalty:
        print_loyalty_report(programme, console)


def _loyalty_reports(
    connection: Connection, path: Path | None, period: Period, settings: MetricSettings
) -> tuple[LoyaltyReport, ...]:
    try:
        config = load_loyalty_config(path)
    except LoyaltyConfigError as error:
        raise typer.BadParameter(str(error), param_hint="RETENTIO_LOYALTY_CONFIG") from None
    return build_loyalty_reports(connection, config, period, settings)


def print_loyalty_report(report: LoyaltyReport, console: Console) -> None:
    """A programme's figures; a programme nobody has joined yet says so in one line."""
    programme = report.programme
    if not report.facts.members:
        console.print(f"Loyalty programme {programme.name} ({programme.id}): no members yet.")
        return
    table = Table(title=f"Loyalty programme {programme.name} ({programme.id}), money in {programme.currency}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("definition")
    for figure in report.figures:
        table.add_row(figure.metric.name, _shown(figure, programme.currency), _definition(figure))
    console.print(table)


def print_report(report: Report, console: Console, config: SegmentsConfig = DEFAULT_CONFIG) -> None:
    """The report as tables; segment names are explained with the thresholds of ``config``."""
    scope = "all customers"
    if report.segment is not None:
        scope = f"segment {report.segment.name} ({len(report.segment.customer_ids):,} customers)"
    start, end = report.period.start, report.period.end
    console.print(
        f"[bold]The base[/bold] from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC "
        f"({report.period.days} days), {scope}; money in {report.currency}"
    )
    figures = Table(title="Figures")
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    figures.add_column("definition")
    for figure in report.figures:
        figures.add_row(figure.metric.name, _shown(figure, report.currency), _definition(figure))
    console.print(figures)
    _print_cohorts(report, console)
    _print_standing(report, console, config)


def _print_cohorts(report: Report, console: Console) -> None:
    if not report.cohorts.rows:
        console.print("No customer placed a first order in the period: no cohorts.")
        return
    width = max(len(row.active) for row in report.cohorts.rows)
    table = Table(title="Cohorts: % of each month's new customers who ordered k months later")
    table.add_column("first order")
    table.add_column("customers", justify="right")
    for offset in range(width):
        table.add_column(f"+{offset}", justify="right")
    for row in report.cohorts.rows:
        shares = [f"{share:.1f}" for share in row.retention]
        table.add_row(row.month, f"{row.customers:,}", *shares, *[""] * (width - len(shares)))
    console.print(table)


def _print_standing(report: Report, console: Console, config: SegmentsConfig) -> None:
    standing = report.standing
    if not (standing.rfm or standing.lifecycle or standing.ladder):
        console.print("Segments: not computed yet (run the segment refresh).")
        return
    table = Table(title="Where customers stand")
    table.add_column("family")
    table.add_column("segment")
    table.add_column("customers", justify="right")
    table.add_column("what it means")
    families = (("RFM", standing.rfm), ("lifecycle", standing.lifecycle), ("ladder", standing.ladder))
    for family, counts in families:
        for name, count in counts.items():
            table.add_row(family, name, f"{count:,}", meaning(family, name, config))
    table.add_row("bad customers", "flagged", f"{standing.bad_customers:,}", bad_customers_meaning(config))
    console.print(table)


def _shown(figure: Figure, currency: str) -> str:
    value = figure.rounded
    if value is None:
        return "—"
    if figure.metric.unit is Unit.PERCENT:
        return f"{value} %"
    if figure.metric.unit is Unit.MONEY:
        return f"{value:,} {currency}"
    if figure.metric.unit is Unit.COUNT:
        return f"{int(value):,}"
    return str(value)


def _definition(figure: Figure) -> str:
    undefined = (
        " — undefined here: the formula divides by zero (for example no customers in the base at the"
        " start, or no churn; see docs/metrics.md)."
        if figure.value is None
        else ""
    )
    return f"{figure.metric.definition} [dim]{figure.metric.formula}[/dim]{undefined}"


def _period(start: str | None, end: str | None, now: datetime) -> Period:
    try:
        until = parse_instant(end) if end else now
        if start is None:
            return Period.days_up_to(until)
        return Period.of(parse_instant(start), until)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--from/--to") from None


def _decimal(option: str, text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a number", param_hint=option) from None
