"""``retentio offers``: what the offer policy would give a customer now and why, what they hold,
and the A/B results of the policy's experiments (the policy is ``RETENTIO_OFFER_POLICY``'s file, or
the default shipped with Retentio); the occasions that make an offer due and the products'
repurchase intervals (``cli.offer_occasions``)."""

from __future__ import annotations

import math

import typer

from retentio.analytics import ArmResult, Interval
from retentio.cli.context import Runtime, runtime
from retentio.cli.offer_occasions import occasions_command, replenishment_command, sweep_command
from retentio.customers import get_customer
from retentio.offers import (
    OfferDecision,
    PolicyConfigError,
    PolicySettings,
    UnknownOccasion,
    UnknownOfferCustomer,
    current_offers,
    load_offer_policy,
    offer_results,
    preview_offer,
)

app = typer.Typer(
    help="Personal offers: a customer's offer and its reasons, the A/B results, occasions coming due, "
    "repurchase intervals.",
    no_args_is_help=True,
)
app.command("occasions")(occasions_command)
app.command("replenishment")(replenishment_command)
app.command("sweep")(sweep_command)


def _policy(run: Runtime) -> PolicySettings:
    try:
        return load_offer_policy(run.settings.offer_policy)
    except PolicyConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command("show")
def show_command(
    customer_id: str,
    occasion: str | None = typer.Option(
        None, "--occasion", help="What the policy would decide now for this occasion (nothing is issued)."
    ),
) -> None:
    """The offers a customer holds, and with --occasion the policy's decision now with its reasons."""
    run = runtime()
    policy = _policy(run)
    now = run.now()
    try:
        with run.reader.connect() as connection:
            if get_customer(connection, customer_id, now) is None:
                raise UnknownOfferCustomer(customer_id)
            decision = (
                None if occasion is None else preview_offer(connection, policy, customer_id, occasion, now)
            )
            held = current_offers(connection, customer_id, now)
    except (UnknownOfferCustomer, UnknownOccasion) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"customer {customer_id}")
    typer.echo("holds: nothing" if not held else "holds:")
    for found in held:
        typer.echo(f"  {_offer(found)} ({found.occasion} {found.occasion_key})")
    if decision is not None:
        typer.echo(f"{occasion} now: {_offer(decision)}")
        for reason in decision.reasons:
            typer.echo(f"  - {reason}")


def _offer(decision: OfferDecision) -> str:
    if decision.offer == "nothing":
        return decision.offer_text
    parts = [decision.offer_text, f"worth {decision.cost} {decision.currency}"]
    if decision.code:
        parts.append(f"code {decision.code}")
    if decision.valid_until is not None:
        parts.append(f"valid until {decision.valid_until.isoformat()}")
    if decision.variant:
        parts.append(f"arm {decision.variant}")
    return ", ".join(parts)


@app.command("results")
def results_command(
    occasion: str | None = typer.Option(None, "--occasion", help="Only this occasion's experiment."),
) -> None:
    """Per arm of each experiment: customers exposed, conversion, its difference against the holdout,
    and revenue and margin per customer, each with its 95 % interval."""
    run = runtime()
    policy = _policy(run)
    with run.reader.connect() as connection:
        reports = offer_results(connection, policy, run.now(), occasion)
    if not reports:
        typer.echo("no experiments" + (f" for {occasion}" if occasion else ""))
    for report in reports:
        typer.echo(
            f"{report.occasion}: experiment {report.experiment}, conversion = an order within "
            f"{report.window_days} days; money in {report.currency}; intervals 95 %"
        )
        typer.echo(
            f"  {'arm':<12}{'exposed':>8}{'orders':>8}  {'conversion':<22}{'vs holdout (pp)':<24}"
            f"{'any look (pp)':<24}"
            f"{'revenue/customer':<26}{'vs holdout':<26}margin/customer"
        )
        for arm in report.arms:
            typer.echo("  " + _arm_line(arm))


def _arm_line(arm: ArmResult) -> str:
    return (
        f"{arm.arm:<12}{arm.exposed:>8}{arm.conversions:>8}  {_share(arm.conversion):<22}"
        f"{_points(arm.conversion_uplift):<24}{_points(arm.conversion_uplift_anytime):<24}"
        f"{_money(arm.revenue_per_customer):<26}"
        f"{_money(arm.revenue_uplift):<26}{_money(arm.margin_per_customer)}"
    )


def _share(interval: Interval) -> str:
    if math.isnan(interval.estimate):
        return "-"
    return f"{interval.estimate:.1%} [{interval.low:.1%}, {interval.high:.1%}]"


def _points(interval: Interval | None) -> str:
    if interval is None or math.isnan(interval.estimate):
        return "-"
    return f"{interval.estimate * 100:+.1f} [{interval.low * 100:+.1f}, {interval.high * 100:+.1f}]"


def _money(interval: Interval | None) -> str:
    if interval is None or math.isnan(interval.estimate):
        return "-"
    if math.isnan(interval.low):
        return f"{interval.estimate:,.0f}"
    return f"{interval.estimate:,.0f} [{interval.low:,.0f}, {interval.high:,.0f}]"
