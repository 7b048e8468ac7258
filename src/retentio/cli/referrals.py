"""``retentio loyalty referrals``: a customer's code and link, their friends, the refusals of the
fraud rules, and the reward run (normally the worker's daily job)."""

from __future__ import annotations

import orjson
import typer

from retentio.cli.context import runtime
from retentio.loyalty import (
    LoyaltyConfig,
    Programme,
    ReferralError,
    do_issue_referral_code,
    do_reward_referrals,
    get_referral,
    list_referral_refusals,
)

app = typer.Typer(help="Referrals: codes, friends, refusals, rewards.", no_args_is_help=True)
PROGRAMME_OPTION = typer.Option(
    None, "--programme", help="The programme (default: the only one with referrals)."
)


def referral_programme(config: LoyaltyConfig, name: str | None) -> Programme:
    with_referrals = sorted(p.id for p in config.programmes.values() if p.referral is not None)
    if name is None and len(with_referrals) == 1:
        name = with_referrals[0]
    if name is None or name not in with_referrals:
        typer.echo(
            f"error: programme: name one with referrals ({', '.join(with_referrals) or 'none'})", err=True
        )
        raise typer.Exit(2)
    return config.programmes[name]


@app.command("code")
def code_command(customer_id: str, programme: str | None = PROGRAMME_OPTION) -> None:
    """The customer's code and link, issued now if they have none."""
    run = runtime()
    chosen = referral_programme(run.loyalty, programme)
    try:
        with run.engine.begin() as connection:
            issued = do_issue_referral_code(connection, chosen, customer_id, run.now())
    except ReferralError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{issued.code}\n{issued.link}")


@app.command("show")
def show_command(customer_id: str, programme: str | None = PROGRAMME_OPTION) -> None:
    """The customer's code, friends (one JSON object a line) and points earned as a referrer."""
    run = runtime()
    chosen = referral_programme(run.loyalty, programme)
    try:
        with run.reader.connect() as connection:
            view = get_referral(connection, chosen, customer_id)
    except ReferralError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"code {view.code.code if view.code else '-'}")
    typer.echo(f"link {view.code.link if view.code else '-'}")
    typer.echo(f"points earned {view.points_earned}")
    if view.referred_by is not None:
        typer.echo(f"referred by {view.referred_by.referrer_id} ({view.referred_by.status})")
    for friend in view.friends:
        line = {
            "friend_id": friend.friend_id,
            "status": friend.status,
            "attributed_at": friend.attributed_at.isoformat(),
            "order_id": friend.order_id,
            "window_closes_at": friend.window_closes_at.isoformat() if friend.window_closes_at else None,
            "referrer_points": friend.referrer_points,
            "friend_points": friend.friend_points,
        }
        typer.echo(orjson.dumps(line).decode())


@app.command("refusals")
def refusals_command(
    programme: str | None = typer.Option(
        None, "--programme", help="Only this programme's ('' for unknown codes)."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Only this reason, e.g. self_referral."),
    limit: int = typer.Option(100, "--limit", help="At most this many, newest first."),
) -> None:
    """What the fraud rules refused, one JSON object a line."""
    run = runtime()
    try:
        with run.reader.connect() as connection:
            found = list_referral_refusals(connection, programme, reason, limit)
    except ReferralError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for record in found:
        line = {
            "programme": record.programme,
            "source": record.source,
            "reason": record.reason,
            "detail": record.detail,
            "code": record.code,
            "referrer_id": record.referrer_id,
            "friend_id": record.friend_id,
            "order_id": record.order_id,
            "refused_at": record.refused_at.isoformat(),
        }
        typer.echo(orjson.dumps(line).decode())


@app.command("reward")
def reward_command() -> None:
    """Reward the referrals whose return window has closed (the worker does it daily)."""
    run = runtime()
    with run.engine.begin() as connection:
        result = do_reward_referrals(connection, run.loyalty, run.now())
    typer.echo(f"{result.rewarded} rewarded, {result.refused} refused")
