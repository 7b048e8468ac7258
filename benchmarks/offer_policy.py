"""The offer policy: deciding, issuing and logging one customer's offer, and reading the best valid
offer of a send's recipients (the templates' ``offer``), each with a floor measured in the same run.

- ``offer_ms`` (p50, p99): ``offer_once`` for one customer — the facts read (profile, prediction,
  standing, margin), the budget, the decision, a personal code issued and the decision logged, in
  one transaction. Floor: ``do_issue_code`` alone for the same customers in a pool made beforehand,
  one transaction each, so the ratio is what the policy adds to issuing a bare code.
- ``best_offers_ms``: the best valid code of ``--customers`` recipients in one call. Floor: reading
  the same recipients' contacts (``load_contacts``), which every send does already.

    python benchmarks/offer_policy.py [--postgres-url URL] [--customers 2000]

Prints one figure a line.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

try:
    from benchmarks._throwaway_database import throwaway_database
except ImportError:  # run as a script from the benchmarks folder
    from _throwaway_database import throwaway_database  # type: ignore[no-redef]
from retentio.catalog import ProductUpsert, do_upsert_products
from retentio.customers import load_contacts
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.ingest import IngestOptions, ingest_events
from retentio.loyalty import CouponRules, Discount, Pool, PoolDefinition, do_create_pool, do_issue_code
from retentio.offers import best_offers, load_offer_policy, offer_once

NOW = datetime(2026, 12, 6, 10, tzinfo=UTC)
_DEFAULT = load_offer_policy(None)
# No experiment and no budget: every customer gets a code, so every measurement does the same work.
POLICY = _DEFAULT.model_copy(
    update={
        "experiments": {},
        "budget": _DEFAULT.budget.model_copy(update={"overall": None}),
        "occasions": {
            name: rule.model_copy(update={"budget": None}) for name, rule in _DEFAULT.occasions.items()
        },
    }
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-url", default=None, help="a server where a database may be created")
    parser.add_argument("--customers", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args.customers)
    if args.postgres_url:
        with throwaway_database(args.postgres_url, "offers") as url:
            _measure("postgresql", url, args.customers)


def _measure(dialect: str, url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    try:
        ids = _base(engine, count)
        offers = _timed_each(lambda who: offer_once(engine, POLICY, who, "win_back", "bench", NOW), ids)
        with engine.begin() as connection:
            pool = do_create_pool(
                connection,
                PoolDefinition("floor", CouponRules("RUB", Discount(percent=Decimal(10))), prefix="FLR"),
                NOW,
            )
        floor = _timed_each(lambda who: _bare_code(engine, pool, who), ids)
        with engine.connect() as connection:
            # Each read three times, alternating, the best of each: the first statement of a
            # connection pays for warming what the second would get for free.
            reading, contacts = float("inf"), float("inf")
            for _ in range(3):
                started = time.perf_counter()
                best = best_offers(connection, ids, NOW)
                reading = min(reading, time.perf_counter() - started)
                started = time.perf_counter()
                load_contacts(connection, ids)
                contacts = min(contacts, time.perf_counter() - started)
        assert len(best) == count
    finally:
        engine.dispose()
    p50, p99 = _quantiles(offers)
    f50, _ = _quantiles(floor)
    print(f"{dialect}_offer_p50_ms {p50:.2f}")
    print(f"{dialect}_offer_p99_ms {p99:.2f}")
    print(f"{dialect}_floor_bare_code_p50_ms {f50:.2f}")
    print(f"{dialect}_offer_p50_over_floor {p50 / f50:.1f}")
    print(f"{dialect}_best_offers_ms_for_{count} {reading * 1000:.1f}")
    print(f"{dialect}_floor_contacts_ms_for_{count} {contacts * 1000:.1f}")
    print(f"{dialect}_best_offers_over_floor {reading / contacts:.2f}")


def _base(engine: Engine, count: int) -> list[str]:
    """``count`` customers with three orders each, the last 90 days ago, of a product with a margin."""
    with engine.begin() as connection:
        product = ProductUpsert(name="Tea", price=Decimal(1000), currency="RUB", margin=Decimal("0.4"))
        do_upsert_products(connection, [("SKU-1", product)], NOW, "RUB")
    ids = [f"c{n:06d}" for n in range(count)]
    events = [
        {
            "event_id": f"{who}-{k}",
            "type": "order_placed",
            "customer_id": who,
            "timestamp": (NOW - timedelta(days=90 + 30 * k)).isoformat(),
            "properties": {
                "order_id": f"{who}-{k}",
                "items": [{"sku": "SKU-1", "quantity": 2, "price": "1000"}],
                "total": "2000",
                "currency": "RUB",
            },
        }
        for who in ids
        for k in range(3)
    ]
    for start in range(0, len(events), 9000):
        ingest_events(engine, events[start : start + 9000], NOW, IngestOptions())
    return ids


def _bare_code(engine: Engine, pool: Pool, who: str) -> None:
    with engine.begin() as connection:
        do_issue_code(connection, pool, who, f"floor:{who}", NOW)


def _timed_each(work: Callable[[str], object], ids: list[str]) -> list[float]:
    seconds = []
    for who in ids:
        started = time.perf_counter()
        work(who)
        seconds.append(time.perf_counter() - started)
    return seconds


def _quantiles(seconds: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(seconds, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


if __name__ == "__main__":
    main()
