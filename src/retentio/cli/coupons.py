"""``retentio coupons``: create a pool of codes, export it, show its figures, check a code."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Connection

from retentio.cli.context import runtime
from retentio.clock import parse_instant
from retentio.loyalty import (
    Cart,
    CartLine,
    CouponCustomer,
    CouponError,
    CouponRules,
    Discount,
    Pool,
    PoolDefinition,
    PoolNotFound,
    Stacking,
    do_create_pool,
    do_generate_codes,
    do_validate,
    export_csv,
    get_pool,
    pool_codes,
    pool_stats,
)

coupons_app = typer.Typer(help="Coupon pools: create, export, stats; check a code.", no_args_is_help=True)


@coupons_app.command("create-pool")
def create_pool_command(
    name: Annotated[str, typer.Argument(help="The pool's name.")],
    currency: Annotated[str, typer.Option("--currency", help="ISO 4217, e.g. RUB.")],
    count: Annotated[int, typer.Option("--count", help="Codes to generate now.")] = 0,
    prefix: Annotated[str, typer.Option("--prefix", help="A–Z and 2–9 only (no 0, O, 1, I).")] = "",
    length: Annotated[int, typer.Option("--length", help="Random characters (10–32, 5 bits each).")] = 12,
    percent_off: Annotated[str | None, typer.Option("--percent-off")] = None,
    amount_off: Annotated[str | None, typer.Option("--amount-off")] = None,
    free_shipping: Annotated[bool, typer.Option("--free-shipping")] = False,
    uses_per_code: Annotated[int, typer.Option("--uses-per-code", help="0: unlimited.")] = 1,
    uses_per_customer: Annotated[int, typer.Option("--uses-per-customer", help="0: no limit.")] = 0,
    valid_from: Annotated[str | None, typer.Option("--valid-from", help="ISO 8601 with an offset.")] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until", help="ISO 8601 with an offset.")] = None,
    minimum_order: Annotated[str | None, typer.Option("--minimum-order")] = None,
    sku: Annotated[list[str] | None, typer.Option("--sku", help="Only these SKUs (repeat).")] = None,
    category: Annotated[list[str] | None, typer.Option("--category", help="Only these categories.")] = None,
    segment: Annotated[list[str] | None, typer.Option("--segment", help="Only customers in these.")] = None,
    exclusive: Annotated[
        bool, typer.Option("--exclusive", help="Never combined with another coupon.")
    ] = False,
    stack_group: Annotated[
        str, typer.Option("--stack-group", help="Stacks only within its group.")
    ] = "default",
) -> None:
    """Create a pool and generate COUNT codes in one transaction; prints the pool's id and the time."""
    rules = CouponRules(
        currency=currency,
        discount=Discount(
            _decimal(percent_off, "--percent-off"), _decimal(amount_off, "--amount-off"), free_shipping
        ),
        uses_per_code=uses_per_code or None,
        uses_per_customer=uses_per_customer or None,
        valid_from=_instant(valid_from, "--valid-from"),
        valid_until=_instant(valid_until, "--valid-until"),
        minimum_order=_decimal(minimum_order, "--minimum-order"),
        skus=frozenset(sku or ()),
        categories=frozenset(category or ()),
        segments=frozenset(segment or ()),
        stacking=Stacking(exclusive, stack_group),
    )
    run = runtime()
    started = time.perf_counter()
    try:
        with run.engine.begin() as connection:
            pool = do_create_pool(connection, PoolDefinition(name, rules, prefix, length), run.now())
            stored = do_generate_codes(connection, pool, count) if count else 0
    except CouponError as error:
        typer.echo(f"error: {error.field}: {error.message}", err=True)
        raise typer.Exit(2) from None
    seconds = time.perf_counter() - started
    typer.echo(f"pool {pool.id} {pool.name!r}: {stored:,} codes in {seconds:.1f} s")


@coupons_app.command("export")
def export_command(
    pool: Annotated[str, typer.Argument(help="The pool's id or name.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="A CSV file (default: stdout).")
    ] = None,
) -> None:
    """Every code of the pool as CSV: code,customer_id,uses."""
    run = runtime()
    with run.reader.connect() as connection:
        found = _pool(connection, pool)
        if output is None:
            export_csv(pool_codes(connection, found), sys.stdout)
            return
        with output.open("w", encoding="utf-8", newline="") as out:
            count = export_csv(pool_codes(connection, found), out)
    typer.echo(f"{count:,} codes written to {output}", err=True)


@coupons_app.command("stats")
def stats_command(pool: Annotated[str, typer.Argument(help="The pool's id or name.")]) -> None:
    """Codes, personal codes, codes used, and uses reserved, committed and released."""
    run = runtime()
    with run.reader.connect() as connection:
        stats = pool_stats(connection, _pool(connection, pool))
    for name in ("codes", "personal_codes", "codes_used", "uses_reserved", "uses_committed", "uses_released"):
        typer.echo(f"{name:<15} {getattr(stats, name):>12,}")


@coupons_app.command("check")
def check_command(
    code: Annotated[str, typer.Argument(help="The code as a customer typed it.")],
    currency: Annotated[str, typer.Option("--currency", help="The cart's currency.")],
    line: Annotated[list[str], typer.Option("--line", help="SKU:QUANTITY:UNIT_PRICE[:CATEGORY] (repeat).")],
    customer: Annotated[str | None, typer.Option("--customer", help="The customer's id.")] = None,
    segment: Annotated[list[str] | None, typer.Option("--segment", help="The customer's segments.")] = None,
) -> None:
    """Would CODE apply to this cart? Prints `applies` or the rule that stops it (exit code 1)."""
    cart = Cart(currency, tuple(_line(text) for text in line))
    run = runtime()
    with run.engine.begin() as connection:
        result = do_validate(
            connection, code, cart, CouponCustomer(customer, frozenset(segment or ())), None, run.now()
        )
    typer.echo(f"{result.outcome}: {result.message}")
    if not result.applies:
        raise typer.Exit(1)


def _pool(connection: Connection, pool: str) -> Pool:
    try:
        return get_pool(connection, int(pool) if pool.isdigit() else pool)
    except PoolNotFound as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None


def _line(text: str) -> CartLine:
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise typer.BadParameter(f"{text!r}: give SKU:QUANTITY:UNIT_PRICE[:CATEGORY]", param_hint="--line")
    try:
        quantity = int(parts[1])
    except ValueError:
        raise typer.BadParameter(f"{text!r}: the quantity is a whole number", param_hint="--line") from None
    price = _decimal(parts[2], "--line")
    assert price is not None
    return CartLine(parts[0], quantity, price, parts[3] if len(parts) == 4 else None)


def _decimal(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a number", param_hint=option) from None
    if not value.is_finite():
        raise typer.BadParameter(f"{text!r} is not a number", param_hint=option)
    return value


def _instant(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None
