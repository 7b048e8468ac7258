"""``retentio recs``: train the recommenders now, show a customer's list in a context, and evaluate
the next-basket model on the store's own baskets."""

from __future__ import annotations

from pathlib import Path

import typer

from retentio.cli.context import runtime
from retentio.offers import (
    CONTEXTS,
    MAX_RECOMMENDATIONS,
    RecsCache,
    RecsConfig,
    RecsConfigError,
    do_train_recs,
    evaluate_store_baskets,
    load_recs_config,
    recommend,
)

app = typer.Typer(
    help="Recommendations: train the recommenders, show a customer's, evaluate.", no_args_is_help=True
)


@app.command("train")
def train_command() -> None:
    """Train every recommender from the store and make the result the current version."""
    run = runtime()
    config = _config(run.settings.recs_config)
    seconds: dict[str, float] = {}
    version = do_train_recs(run.engine, config, run.now(), seconds)
    sizes = ", ".join(f"{name} {count:,}" for name, count in version.sizes.items())
    typer.echo(f"version {version.version} is current: {sizes}")
    typer.echo("seconds: " + ", ".join(f"{step} {spent:.1f}" for step, spent in seconds.items()))


@app.command("show")
def show_command(
    customer_id: str,
    context: str = typer.Option("email", "--context", help="cart, product, email or home."),
    sku: list[str] = typer.Option([], "--sku", help="The cart's or the product's SKU (repeatable)."),
    limit: int = typer.Option(10, "--limit", min=1, max=MAX_RECOMMENDATIONS),
) -> None:
    """A customer's recommendations in a context, each with its reason."""
    if context not in CONTEXTS:
        typer.echo(f"error: --context must be one of {', '.join(CONTEXTS)}, not {context!r}", err=True)
        raise typer.Exit(2)
    run = runtime()
    config = _config(run.settings.recs_config)
    loaded = RecsCache(recheck_seconds=0).get(run.reader)
    if loaded is None:
        typer.echo("no trained recommenders yet: run 'retentio recs train'; showing nothing", err=True)
    with run.reader.connect() as connection:
        items = recommend(connection, loaded, customer_id, context, sku, limit, config.rules, run.now())
    for rank, item in enumerate(items, start=1):
        typer.echo(f"{rank:>3}. {item.sku}  {item.name}  [{item.kind} {item.score:.3f}]  {item.reason}")


@app.command("evaluate")
def evaluate_command(k: int = typer.Option(10, "--k", min=1, max=100)) -> None:
    """Hide each customer's last basket (customers with three or more) and score the next-basket
    model against it (recall, NDCG, PHR at k, with the repeat and explore parts)."""
    run = runtime()
    with run.reader.connect() as connection:
        customers, figures = evaluate_store_baskets(connection, k)
    if not customers:
        typer.echo("no customer has three baskets yet: nothing to evaluate")
        return
    typer.echo(f"{customers:,} customers, @{k}")
    names = ("recall", "ndcg", "phr", "recall_repeat", "recall_explore")  # of the evaluation's figures
    typer.echo(f"{'method':<22}" + "".join(f"{name:>16}" for name in names))
    for method, values in figures.items():
        typer.echo(f"{method:<22}" + "".join(f"{values[name]:>16.4f}" for name in names))


def _config(path: Path | None) -> RecsConfig:
    try:
        return load_recs_config(path)
    except RecsConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
