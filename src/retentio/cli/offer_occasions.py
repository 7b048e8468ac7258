"""``retentio offers occasions|replenishment|sweep``: the offers coming due (a customer's or
everyone's), the products' repurchase intervals, and the daily sweep run by hand (normally the
worker's job)."""

from __future__ import annotations

from datetime import timedelta

import typer

from retentio.cli.context import runtime
from retentio.offers import do_occasion_sweep, plan_occasions, read_top_intervals, read_waits


def occasions_command(
    customer: str | None = typer.Option(None, "--customer", help="Only this customer's occasions."),
    days: int = typer.Option(7, "--days", min=1, max=366, help="Look this many days ahead."),
    limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="Show at most this many of each."),
) -> None:
    """The carts and views waiting for their window, and the offers the daily sweep will announce
    within the next days (from the stored intervals: run 'sweep' or the worker to relearn them)."""
    run = runtime()
    now = run.now()
    with run.reader.connect() as connection:
        waits = read_waits(connection, customer, limit)
        plan = plan_occasions(
            connection,
            run.occasions,
            run.settings.zone,
            now,
            now + timedelta(days=days),
            learn=False,
            now=now,
            customer_id=customer,
        )
    for wait in waits:
        skus = ",".join(wait.skus)
        typer.echo(f"waiting  {wait.occasion:<21} {wait.customer_id}  due {wait.due_at.isoformat()}  {skus}")
    for occasion in plan.occasions[:limit]:
        properties = occasion.properties
        name = properties.get("occasion", occasion.type)
        when = next(properties[key] for key in ("runs_out_at", "renews_at", "date") if key in properties)
        what = properties.get("sku") or ",".join(properties.get("skus", []))
        typer.echo(f"upcoming {name:<21} {occasion.customer_id}  on {when}  {what}".rstrip())
    if not waits and not plan.occasions:
        typer.echo(f"nothing due within {days} days")


def replenishment_command(
    top: int = typer.Option(20, "--top", min=1, max=100_000, help="Show this many products."),
) -> None:
    """The products' repurchase intervals (days one unit lasts), most observed first: learned from
    customers' repeat purchases, or the catalogue's consumption days."""
    run = runtime()
    with run.reader.connect() as connection:
        rows = read_top_intervals(connection, top)
    if not rows:
        typer.echo("no intervals yet: run 'retentio offers sweep' (the worker runs it daily)")
        return
    typer.echo(f"{'sku':<24} {'days':>8}  {'source':<9} {'repeats':>8}  computed")
    for row in rows:
        typer.echo(
            f"{row.sku:<24} {row.interval_days:>8.1f}  {row.source:<9} {row.observations:>8}  "
            f"{row.computed_at.isoformat()}"
        )


def sweep_command() -> None:
    """Relearn the intervals and announce the run-outs, renewals, birthdays and anniversaries due
    now (the worker does it daily; a rerun announces nothing twice)."""
    run = runtime()
    with run.engine.begin() as connection:
        result = do_occasion_sweep(connection, run.occasions, run.settings.zone, run.now())
    typer.echo(result.summary())
