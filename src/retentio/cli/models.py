"""``retentio models``: fit the CLV models on the store and look at a customer's predictions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

import orjson
import typer

from retentio.analytics import ClvFitOptions, ClvFitResult, ClvModelError, do_fit_clv_models, get_prediction
from retentio.cli.context import runtime

app = typer.Typer(help="Predictive models of the base: CLV (BG/NBD + Gamma-Gamma).", no_args_is_help=True)


class TimeUnit(StrEnum):
    day = "day"
    week = "week"


@app.command("fit")
def fit_command(
    until: str | None = typer.Option(
        None, "--until", metavar="DATE", help="Use orders placed before this day (YYYY-MM-DD); default now."
    ),
    time_unit: TimeUnit = typer.Option(TimeUnit.week, "--time-unit", help="Unit of the fitted rates."),
    horizon_days: int = typer.Option(90, "--horizon-days", min=1, help="Expected purchases in N days."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fit the models on the orders and write every customer's P(alive), purchases and value."""
    options = ClvFitOptions(until=_parse_until(until), time_unit=time_unit.value, horizon_days=horizon_days)
    run = runtime()
    try:
        result = do_fit_clv_models(run.engine, options, run.now())
    except ClvModelError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(orjson.dumps(fit_document(result)).decode())
        return
    for line in fit_report(result):
        typer.echo(line)


@app.command("show")
def show_command(customer_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """A customer's predictions from the last fit."""
    with runtime().reader.connect() as connection:
        prediction = get_prediction(connection, customer_id)
    if prediction is None:
        typer.echo(f"error: no predictions for customer {customer_id!r}; run 'retentio models fit'", err=True)
        raise typer.Exit(1)
    if as_json:
        document = {
            "customer_id": prediction.customer_id,
            "p_alive": prediction.p_alive,
            "expected_purchases_90d": prediction.expected_purchases_90d,
            "predicted_clv": prediction.predicted_clv,
            "computed_at": prediction.computed_at.isoformat(),
        }
        typer.echo(orjson.dumps(document).decode())
        return
    typer.echo(f"customer                         {prediction.customer_id}")
    typer.echo(f"P(alive)                         {_number(prediction.p_alive, 3)}")
    typer.echo(f"expected purchases, next 90 days {_number(prediction.expected_purchases_90d, 2)}")
    typer.echo(f"predicted value, next 12 months  {_number(prediction.predicted_clv, 2)}")
    typer.echo(f"computed at                      {prediction.computed_at.isoformat()}")


def fit_document(result: ClvFitResult) -> dict[str, Any]:
    """The ``--json`` object: the keys scripts rely on, then the figures of the base."""
    purchases, spend = result.bgnbd, result.gamma_gamma
    return {
        "bgnbd": {
            "r": purchases.r,
            "alpha": purchases.alpha,
            "a": purchases.a,
            "b": purchases.b,
            "log_likelihood": purchases.log_likelihood,
        },
        "gamma_gamma": {
            "p": spend.p,
            "q": spend.q,
            "gamma": spend.gamma,
            "log_likelihood": spend.log_likelihood,
        },
        "customers": result.customers,
        "repeat_buyers": result.repeat_buyers,
        "until": _moment(result.until),
        "time_unit": result.time_unit,
        "predictions_written": result.predictions_written,
        "transactions": result.transactions,
        "horizon_days": result.horizon_days,
        "mean_p_alive": result.mean_p_alive,
        "expected_purchases": result.expected_purchases,
        "clv_months": result.clv_months,
        "predicted_value": result.predicted_value,
        "currency": result.currency,
        "computed_at": result.computed_at.isoformat(),
    }


def fit_report(result: ClvFitResult) -> list[str]:
    """The parameters with what each means to a marketer, then the figures of the base."""
    heading = (
        f"CLV models fitted on {result.transactions:,} orders placed before {_moment(result.until)} "
        f"(rates per {result.time_unit})"
    )
    return [heading, "", *_purchase_rows(result), "", *_spend_rows(result), "", *_base_rows(result)]


def _purchase_rows(result: ClvFitResult) -> list[str]:
    fitted, unit = result.bgnbd, result.time_unit
    dropout = fitted.a / (fitted.a + fitted.b)
    return [
        f"How often customers buy, and when they leave (BG/NBD, log-likelihood {fitted.log_likelihood:.2f})",
        _row("r", fitted.r, "how purchase rates vary: small r = a few heavy buyers, many light ones"),
        _row("α", fitted.alpha, f"r/α = {fitted.r / fitted.alpha:.3f} purchases a {unit} while active"),
        _row("a", fitted.a, "with b, how the chance of leaving varies between customers"),
        _row("b", fitted.b, f"a/(a+b) = {dropout:.3f}: chance a customer drops out after a purchase"),
    ]


def _spend_rows(result: ClvFitResult) -> list[str]:
    fitted = result.gamma_gamma
    mean_spend = fitted.p * fitted.gamma / (fitted.q - 1.0)
    return [
        f"How much they spend per purchase (Gamma-Gamma on {result.spend_learners:,} repeat buyers, "
        f"log-likelihood {fitted.log_likelihood:.2f})",
        _row("p", fitted.p, "how steady a customer's spend is from purchase to purchase (higher = steadier)"),
        _row("q", fitted.q, "how alike customers' average spends are (higher = more alike)"),
        _row("γ", fitted.gamma, f"p·γ/(q−1) = {mean_spend:,.2f} {result.currency}: mean spend per purchase"),
    ]


def _base_rows(result: ClvFitResult) -> list[str]:
    return [
        f"customers            {result.customers:,} ({result.repeat_buyers:,} bought on more than one day)",
        f"mean P(alive)        {result.mean_p_alive:.3f}",
        f"expected purchases   {result.expected_purchases:,.1f} in the next {result.horizon_days} days",
        f"predicted value      {result.predicted_value:,.2f} {result.currency} "
        f"in the next {result.clv_months} months",
        f"predictions written  {result.predictions_written:,} (computed at {result.computed_at.isoformat()})",
    ]


def _parse_until(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--until") from None
    return datetime.combine(day, time(), tzinfo=UTC)


def _moment(at: datetime) -> str:
    """A day as YYYY-MM-DD when it starts at midnight UTC (what --until gives), else ISO 8601."""
    return at.date().isoformat() if at.time() == time() else at.isoformat()


def _row(name: str, value: float, meaning: str) -> str:
    return f"  {name}  {value:>10.4f}   {meaning}"


def _number(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"
