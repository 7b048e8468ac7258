"""Points for an order, line by line, with exact arithmetic.

Each line earns ``paid × rate × tier multiplier`` points, kept as an exact fraction; the order's
points are the **floor of the sum**, rounded once per order and never per line, so splitting an
order into more lines never loses a customer points (three lines of 0.6 earn 1 point, not 0).

The rule a line follows, first match wins: an excluded SKU, an excluded category, a discounted line
when the programme says discounted lines earn nothing, its category's rate, the programme's rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from retentio.loyalty.programmes.expiry import lot_dates
from retentio.loyalty.programmes.settings import Programme
from retentio.loyalty.tiers.definition import Level
from retentio.types.money import from_minor, to_minor


@dataclass(frozen=True, slots=True)
class EarningLine:
    """An order line as earning needs it: the order event's item and its product's category."""

    sku: str
    quantity: int
    price: Decimal  # one unit's price
    category: str | None = None
    discount: Decimal = Decimal(0)  # taken off the whole line (its share of an order's discount too)

    @property
    def paid(self) -> Decimal:
        return self.quantity * self.price - self.discount


@dataclass(frozen=True, slots=True)
class LinePoints:
    sku: str
    category: str | None
    paid: Decimal
    # base, category, excluded_sku, excluded_category, discounted (a discounted line earning nothing)
    rule: str
    rate: Fraction  # points per currency unit paid
    base_points: Fraction  # paid × rate
    multiplier: Decimal
    points: Fraction  # base_points × multiplier, before the order's rounding


@dataclass(frozen=True, slots=True)
class OrderPoints:
    programme: str
    tier: str | None
    lines: tuple[LinePoints, ...]
    exact: Fraction  # the lines' sum
    points: int  # floor(exact): what the lot holds
    activates_at: datetime
    expires_at: datetime | None


def points_for_order(
    programme: Programme, lines: Sequence[EarningLine], tier: Level | None, now: datetime
) -> OrderPoints:
    """The points an order placed at ``now`` earns for a customer in ``tier`` (None: no tiers)."""
    multiplier = tier.multiplier if tier is not None else Decimal(1)
    itemised = tuple(_line(programme, index, line, multiplier) for index, line in enumerate(lines, start=1))
    exact = sum((line.points for line in itemised), Fraction(0))
    dates = lot_dates(programme, now)
    return OrderPoints(
        programme.id,
        tier.id if tier is not None else None,
        itemised,
        exact,
        math.floor(exact),
        dates.activates_at,
        dates.expires_at,
    )


def _line(programme: Programme, number: int, line: EarningLine, multiplier: Decimal) -> LinePoints:
    _check(number, line)
    earning = programme.earning
    rule, rate = "base", earning.per_unit(programme.currency, programme.point_value_minor)
    if line.sku in earning.excluded_skus:
        rule, rate = "excluded_sku", Fraction(0)
    elif line.category is not None and line.category in earning.excluded_categories:
        rule, rate = "excluded_category", Fraction(0)
    elif line.discount > 0 and earning.discounted_lines == "none":
        rule, rate = "discounted", Fraction(0)
    elif line.category is not None and line.category in earning.categories:
        rule = "category"
        rate = earning.categories[line.category].per_unit(programme.currency, programme.point_value_minor)
    base = Fraction(line.paid) * rate
    return LinePoints(
        line.sku, line.category, line.paid, rule, rate, base, multiplier, base * Fraction(multiplier)
    )


def _check(number: int, line: EarningLine) -> None:
    if line.quantity <= 0:
        raise ValueError(f"line {number} ({line.sku}): quantity must be positive, not {line.quantity}")
    if line.price < 0:
        raise ValueError(f"line {number} ({line.sku}): price must not be negative, not {line.price}")
    if not 0 <= line.discount <= line.quantity * line.price:
        raise ValueError(
            f"line {number} ({line.sku}): discount {line.discount} must be between 0 and the line's "
            f"{line.quantity * line.price}"
        )


def spread_order_discount(
    lines: Sequence[EarningLine], discount: Decimal, currency: str
) -> tuple[EarningLine, ...]:
    """``lines`` with an order-level discount (a coupon, points that paid part of it) shared out in
    proportion to what each line still costs, in whole minor units (largest remainder), so the
    lines' discounts add up to exactly ``discount``."""
    if discount < 0:
        raise ValueError(f"order discount must not be negative, not {discount}")
    left = [to_minor(line.paid, currency) for line in lines]
    total, share = sum(left), to_minor(discount, currency)
    if share > total:
        raise ValueError(f"order discount {discount} is more than the lines' {from_minor(total, currency)}")
    if share == 0:
        return tuple(lines)
    exact = [Fraction(share * amount, total) for amount in left]
    parts = [math.floor(part) for part in exact]
    by_remainder = sorted(range(len(lines)), key=lambda index: (parts[index] - exact[index], index))
    for index in by_remainder[: share - sum(parts)]:
        parts[index] += 1
    return tuple(
        EarningLine(
            line.sku, line.quantity, line.price, line.category, line.discount + from_minor(part, currency)
        )
        for line, part in zip(lines, parts, strict=True)
    )
