"""A store-like event stream for ingest benchmarks: sessions of views and carts, some ending in an
order, in time order — the shape the simulator produces, without its cost."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 1, 1, tzinfo=UTC)


def store_events(count: int, customers: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    at = START
    number = 0
    while len(out) < count:
        customer = f"c{rng.randrange(customers)}"
        at += timedelta(seconds=rng.randrange(1, 30))
        views = rng.randrange(2, 9)
        for _ in range(views):
            number += 1
            out.append(_event(number, "product_viewed", customer, at, {"sku": f"S{rng.randrange(500)}"}))
        if rng.random() < 0.3:
            sku = f"S{rng.randrange(500)}"
            items = [{"sku": sku, "quantity": rng.randrange(1, 3), "price": f"{rng.randrange(100, 5000)}.00"}]
            number += 1
            out.append(
                _event(number, "cart_updated", customer, at, {"cart_id": f"k{number}", "items": items})
            )
            if rng.random() < 0.35:
                total = sum(int(i["quantity"]) * float(i["price"]) for i in items)
                number += 1
                order = {"order_id": f"o{number}", "items": items, "total": f"{total:.2f}", "currency": "RUB"}
                out.append(_event(number, "order_placed", customer, at, order))
                number += 1
                out.append(_event(number, "order_paid", customer, at, {"order_id": f"o{number - 1}"}))
    return out[:count]


def _event(
    number: int, type_: str, customer: str, at: datetime, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "event_id": f"bench-{number}",
        "type": type_,
        "customer_id": customer,
        "timestamp": at.isoformat(),
        "properties": properties,
    }
