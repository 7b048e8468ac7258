"""What the policy knows about one customer, read from the areas that own it: the profile (orders,
revenue, average check, usual interval, where they are active), the CLV models' predictions, the
segments' standing (reward propensity, the bad-customer flag) and the margin of what they bought."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, Numeric, cast, func, select

from retentio.analytics import get_prediction
from retentio.catalog import products
from retentio.customers import get_profile
from retentio.offers.policy.model import CustomerOfferFacts
from retentio.orders import order_lines, orders
from retentio.segments import get_standing


def read_offer_facts(
    connection: Connection, customer_id: str, currency: str, now: datetime
) -> CustomerOfferFacts | None:
    """None for an unknown customer."""
    profile = get_profile(connection, customer_id, currency, now)
    if profile is None:
        return None
    prediction = get_prediction(connection, customer_id)
    standing = get_standing(connection, customer_id)
    facts = standing.facts if standing is not None else None
    expected = None if prediction is None else _finite(prediction.predicted_clv)
    return CustomerOfferFacts(
        customer_id=customer_id,
        orders=profile.orders,
        revenue=profile.revenue,
        average_check=profile.average_check,
        usual_interval_days=facts.usual_interval_days if facts else profile.mean_interval_days,
        expected_value=None if expected is None else Decimal(str(round(expected, 2))),
        p_alive=None if prediction is None else _finite(prediction.p_alive),
        reward_propensity=facts.reward_propensity if facts else "neutral",
        margin=customer_margin(connection, customer_id),
        bad_customer=standing is not None and standing.bad_customer,
        do_not_incentivize=standing is not None and standing.do_not_incentivize,
        active_on=tuple(sorted(profile.channel_activity)),
        days_since_last_order=None
        if profile.last_order_at is None
        else (now - profile.last_order_at).total_seconds() / 86400,
    )


def _finite(value: float | None) -> float | None:
    """A model's figure, or None where the fit gave none it could stand by (NaN, infinite)."""
    return value if value is not None and math.isfinite(value) else None


def customer_margin(connection: Connection, customer_id: str) -> Decimal | None:
    """The catalogue margin of what the customer bought, weighted by what each line cost; None when
    no product they bought has a margin in the catalogue."""
    amount = order_lines.c.price_minor * (order_lines.c.quantity - order_lines.c.returned_quantity)
    row = connection.execute(
        select(
            func.sum(cast(amount, Numeric(24, 4)) * products.c.margin),
            func.sum(amount),
        )
        .select_from(order_lines.join(orders, orders.c.order_id == order_lines.c.order_id))
        .join(products, products.c.sku == order_lines.c.sku)
        .where(
            orders.c.customer_id == customer_id,
            orders.c.cancelled_at.is_(None),
            products.c.margin.is_not(None),
        )
    ).one()
    kept, paid = row
    if kept is None or not paid:
        return None
    return (Decimal(kept) / Decimal(paid)).quantize(Decimal("0.0001"))
