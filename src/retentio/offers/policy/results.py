"""The A/B results of the policy's experiments (OFF-10): each decision logged in an experiment is
one exposed customer; they converted when they ordered within the experiment's window after it.
Revenue is what those orders brought net of returns, margin the catalogue margin of their lines less
the order's discount. The comparison itself is ``retentio.analytics.compare_arms``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Numeric, cast, func, select

from retentio.analytics import HOLDOUT, ArmResult, ExperimentOutcome, compare_arms
from retentio.catalog import products
from retentio.db.batches import chunks
from retentio.offers.policy.settings import PolicySettings
from retentio.offers.policy.tables import offer_decisions
from retentio.orders import order_lines, orders
from retentio.types.money import minor_digits

_LOG = offer_decisions.c


@dataclass(frozen=True, slots=True)
class ExperimentReport:
    occasion: str
    experiment: str
    window_days: int
    currency: str
    arms: list[ArmResult]


def offer_results(
    connection: Connection, settings: PolicySettings, now: datetime, occasion: str | None = None
) -> list[ExperimentReport]:
    reports = []
    for name, experiment in settings.experiments.items():
        if occasion is not None and name != occasion:
            continue
        window = timedelta(days=experiment.window_days)
        found = _outcomes(connection, experiment.id, window, now, 10 ** minor_digits(settings.currency))
        order = [HOLDOUT, *experiment.variants, *sorted(set(found) - {HOLDOUT, *experiment.variants})]
        arms = {arm: found.get(arm, []) for arm in order}
        reports.append(
            ExperimentReport(
                name, experiment.id, experiment.window_days, settings.currency, compare_arms(arms, HOLDOUT)
            )
        )
    return reports


def _outcomes(
    connection: Connection, experiment: str, window: timedelta, now: datetime, scale: int
) -> dict[str, list[ExperimentOutcome]]:
    """One outcome per decision whose window has closed: a decision still in its window would count
    as not converted while it may yet convert."""
    decisions = connection.execute(
        select(_LOG.customer_id, _LOG.variant, _LOG.decided_at).where(
            _LOG.experiment == experiment, _LOG.decided_at <= now - window
        )
    ).all()
    if not decisions:
        return {}
    since = min(row.decided_at for row in decisions)
    bought = _orders(connection, sorted({row.customer_id for row in decisions}), since, now)
    result: dict[str, list[ExperimentOutcome]] = defaultdict(list)
    for row in decisions:
        after = [
            found
            for found in bought.get(row.customer_id, ())
            if row.decided_at < found.placed_at <= row.decided_at + window
        ]
        result[row.variant or ""].append(
            ExperimentOutcome(
                bool(after),
                sum(found.revenue for found in after) / scale,
                sum(found.margin for found in after) / scale,
            )
        )
    return dict(result)


@dataclass(frozen=True, slots=True)
class _Order:
    placed_at: datetime
    revenue: int  # minor units, net of returns
    margin: float  # minor units, after the order's discount


def _orders(
    connection: Connection, customer_ids: list[str], since: datetime, until: datetime
) -> dict[str, list[_Order]]:
    kept = func.coalesce(
        func.sum(
            cast(
                order_lines.c.price_minor * (order_lines.c.quantity - order_lines.c.returned_quantity),
                Numeric(24, 4),
            )
            * func.coalesce(products.c.margin, 0)
        ),
        0,
    )
    found: dict[str, list[_Order]] = defaultdict(list)
    for part in chunks(customer_ids):
        net = orders.c.total_minor - orders.c.returned_minor
        rows = connection.execute(
            select(orders.c.customer_id, orders.c.placed_at, net, orders.c.discount_minor, kept)
            .select_from(
                orders.outerjoin(order_lines, order_lines.c.order_id == orders.c.order_id).outerjoin(
                    products, products.c.sku == order_lines.c.sku
                )
            )
            .where(
                orders.c.customer_id.in_(part),
                orders.c.placed_at > since,
                orders.c.placed_at <= until,
                orders.c.cancelled_at.is_(None),
            )
            .group_by(
                orders.c.order_id,
                orders.c.customer_id,
                orders.c.placed_at,
                orders.c.total_minor,
                orders.c.returned_minor,
                orders.c.discount_minor,
            )
        ).all()
        for customer_id, placed_at, revenue, discount, margin in rows:
            found[customer_id].append(
                _Order(placed_at, max(int(revenue), 0), float(margin or 0) - int(discount))
            )
    return found
