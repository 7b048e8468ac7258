"""``retentio demo``: the whole product on a fresh SQLite file, with a simulated store."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from retentio.analytics import ClvFitOptions, ClvModelError, do_fit_clv_models, report_document
from retentio.cli.context import runtime
from retentio.cli.demo_offers import OffersSummary, offers_day_hook, offers_summary, print_offers
from retentio.cli.report import print_loyalty_report, print_report
from retentio.cli.segment_names import lifecycle_move_meaning
from retentio.db.engine import make_engine
from retentio.loyalty import loyalty_report_document, nightly_hook
from retentio.offers import PolicySettings, RecsConfig, load_offer_policy, load_recs_config
from retentio.segments import sweep_hook
from retentio.sim import DemoRun, DemoWiring, SimConfig, demo_programmes, run_demo

T = TypeVar("T")


def demo_command(
    database: Annotated[Path, typer.Option("--db", help="SQLite file to create (replaced).")] = Path(
        "retentio-demo.db"
    ),
    customers: Annotated[int, typer.Option(min=1, max=2_000_000, help="Customers in the store.")] = 1_000,
    days: Annotated[int, typer.Option(min=1, max=3_650, help="Days to simulate.")] = 180,
    seed: Annotated[int, typer.Option(help="Same seed, same store.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else.")] = False,
) -> None:
    """Simulate a shop for DAYS days, feeding the real ingestion path, and report on its base."""
    config = SimConfig(customers=customers, days=days, seed=seed)
    context = runtime()
    loyalty = demo_programmes(context.loyalty, config.start)
    context.use_loyalty(loyalty)
    wiring = DemoWiring(
        context.ingest_options(),
        context.consumers(),
        context.segments,
        day_hooks=[
            sweep_hook(context.segments),
            nightly_hook(),
            offers_day_hook(context.occasions, context.settings.zone),
        ],
        loyalty=loyalty,
    )
    err = Console(stderr=True)
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        TextColumn("day {task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        disable=as_json or not err.is_terminal,
    ) as bar:
        task = bar.add_task("days", total=days)
        run = run_demo(
            database, config, wiring, progress=lambda done, _total: bar.update(task, completed=done)
        )
    offers = _offers(
        database,
        config,
        load_offer_policy(context.settings.offer_policy),
        load_recs_config(context.settings.recs_config),
    )
    if as_json:
        typer.echo(orjson.dumps(_document(run, offers)).decode())
        return
    _print_report(run, offers)


def _offers(database: Path, config: SimConfig, policy: PolicySettings, recs: RecsConfig) -> OffersSummary:
    """The CLV models fitted as ``retentio models fit`` would (the policy sizes offers by predicted
    value) and the recommenders trained as ``retentio recs train`` would, then the offers that came
    due, what the policy would give and a customer's recommendations."""
    end = config.start + timedelta(days=config.days)
    engine = make_engine(f"sqlite:///{database}")
    try:
        with suppress(ClvModelError):  # too few repeat buyers in a tiny demo: the policy says so
            do_fit_clv_models(engine, ClvFitOptions(), end)
        return offers_summary(engine, policy, recs, config.start, end)
    finally:
        engine.dispose()


def _document(run: DemoRun, offers: OffersSummary) -> dict[str, object]:
    return {
        "database": str(run.database),
        "days": run.config.days,
        "seed": run.config.seed,
        "events": run.events_accepted,
        "events_rejected": run.events_rejected,
        "seconds": round(run.seconds, 2),
        **run.summary.as_json(),
        "lifecycle_moves": run.lifecycle_moves,
        "report": report_document(run.report),
        "loyalty": [loyalty_report_document(programme) for programme in run.loyalty],
        "offers": offers.as_json(),
    }


def _print_report(run: DemoRun, offers: OffersSummary) -> None:
    summary = run.summary
    console = Console()
    console.print(
        f"[bold]Retentio demo[/bold]: {run.config.customers:,} customers over {run.config.days} days "
        f"(seed {run.config.seed}), {run.events_accepted:,} events in {run.seconds:.1f} s → {run.database}"
    )
    table = Table(title="The base", show_lines=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("what it means")
    money = summary.currency
    rows = [
        ("customers", f"{summary.customers:,}", "records in the base (merged duplicates not counted)"),
        ("buyers", f"{summary.buyers:,}", "customers with at least one order that was not cancelled"),
        ("orders", f"{summary.orders:,}", "orders placed and not cancelled"),
        ("revenue", f"{summary.revenue:,.2f} {money}", "order totals, returns deducted"),
        (
            "average order value",
            _or_dash(summary.average_order_value, lambda v: f"{v:,.2f} {money}"),
            "revenue / orders",
        ),
        (
            "repeat purchase rate",
            _or_dash(summary.repeat_purchase_rate, lambda v: f"{v:.1%}"),
            "buyers with 2 or more orders / buyers",
        ),
        (
            "purchase frequency",
            _or_dash(summary.purchase_frequency, lambda v: f"{v:.2f}"),
            "orders / buyers",
        ),
        ("cancelled orders", f"{summary.cancelled_orders:,}", "orders cancelled after placing"),
        ("orders with returns", f"{summary.returned_orders:,}", "orders with at least one item returned"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    categories = Table(title="Top categories by revenue")
    categories.add_column("category")
    categories.add_column("revenue", justify="right")
    for name, value in summary.top_categories:
        categories.add_row(name, f"{value:,.2f} {money}")
    console.print(categories)
    print_report(run.report, console)
    for programme in run.loyalty:
        print_loyalty_report(programme, console)
    moves = Table(title="Lifecycle moves during the simulated days")
    moves.add_column("move")
    moves.add_column("customers", justify="right")
    moves.add_column("why")
    for move, count in run.lifecycle_moves.items():
        source, _, destination = move.partition(" → ")
        moves.add_row(move, f"{count:,}", lifecycle_move_meaning(source, destination))
    console.print(moves)
    print_offers(offers, console)
    # Every command below reads RETENTIO_DATABASE_URL; without it they would open ./retentio.db.
    console.print(
        f"Explore it: export RETENTIO_DATABASE_URL=sqlite:///{run.database}, then "
        "retentio stats  ·  retentio customers show <id>  ·  "
        "retentio serve (a key first: retentio apikey create)"
    )


def _or_dash(value: T | None, render: Callable[[T], str]) -> str:
    return "—" if value is None else render(value)
