"""A small shop for the offer policy's tests: one product with a margin, customers with orders, their
CLV predictions and standing, and the default policy with or without its experiment."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine
from tests.helpers import event, ingest, item

from retentio.catalog import ProductUpsert, do_upsert_products
from retentio.customers.tables import customer_predictions
from retentio.offers import PolicySettings, load_offer_policy
from retentio.segments.tables import customer_standing

DEFAULT = load_offer_policy(None)
NO_EXPERIMENTS = DEFAULT.model_copy(update={"experiments": {}})


def shop(engine: Engine, now: datetime, margin: Decimal = Decimal("0.40")) -> None:
    with engine.begin() as connection:
        do_upsert_products(
            connection,
            [
                (
                    "SKU-1",
                    ProductUpsert(name="Tea", price=Decimal(1000), currency="RUB", margin=margin),
                )
            ],
            now,
            "RUB",
        )


def customer(
    engine: Engine,
    now: datetime,
    customer_id: str,
    orders: int = 3,
    price: str = "1400",
    quantity: int = 3,
    clv: float | None = 42100.0,
    p_alive: float | None = 0.8,
    propensity: str | None = None,
    flagged: bool = False,
) -> None:
    """``orders`` orders of ``quantity`` × SKU-1 at ``price``, 30 days apart, the last 60 days ago."""
    events = [
        event(
            f"{customer_id}-o{n}",
            "order_placed",
            now - timedelta(days=60 + 30 * n),
            customer_id,
            order_id=f"{customer_id}-o{n}",
            items=[item("SKU-1", quantity, price)],
            total=str(int(price) * quantity),
            currency="RUB",
        )
        for n in range(orders)
    ] or [event(f"{customer_id}-seen", "product_viewed", now - timedelta(days=1), customer_id, sku="SKU-1")]
    ingest(engine, events, now)
    with engine.begin() as connection:
        if clv is not None or p_alive is not None:
            connection.execute(
                customer_predictions.insert(),
                {
                    "customer_id": customer_id,
                    "p_alive": p_alive,
                    "expected_purchases_90d": 1.0,
                    "predicted_clv": clv,
                    "computed_at": now,
                },
            )
        if propensity is not None or flagged:
            connection.execute(
                customer_standing.insert(),
                {
                    "customer_id": customer_id,
                    "lifecycle": "active",
                    "ladder": "customer",
                    "bad_score": 9 if flagged else 0,
                    "bad_customer": flagged,
                    "bad_reasons": ["returns"] if flagged else [],
                    "do_not_incentivize": flagged,
                    "reward_propensity": propensity or "neutral",
                    "computed_at": now,
                },
            )


def with_budget(policy: PolicySettings, occasion: str, budget: Decimal) -> PolicySettings:
    rule = policy.occasions[occasion]  # type: ignore[index]
    occasions = {**policy.occasions, occasion: rule.model_copy(update={"budget": budget})}
    return policy.model_copy(update={"occasions": occasions})
