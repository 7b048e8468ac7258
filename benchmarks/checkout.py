"""The checkout's calculation: p50 and p99 of ``calculate_checkout`` for a 10-line cart with a
programme, tiers, 5 automatic promotions that apply (three stacking in one group, one exclusive,
one in another group), an offered code, a gift card and points, each call on a connection of its
own taken from the pool, as the API does. Goal: p99 ≤ 10 ms.

The floor, in the same run on the same engine, the calls interleaved with the calculation's: the
p99 of a ``SELECT 1`` round trip and of a primary-key read, each on its own connection from the pool;
the ratio is the calculation's p99 over the primary-key read's. Also printed: the pure decision
alone (``decide_only``, no database) and the calculation's CPU time, which a busy machine's
scheduling does not inflate.

    python benchmarks/checkout.py [--postgres-url URL] [--calls 3000]

Without ``--postgres-url`` only the SQLite figures are printed. A database of its own is created on
the server and dropped afterwards. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, text

from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.db.engine import make_engine, reader

try:
    from benchmarks._throwaway_database import throwaway_database
except ImportError:  # run as a script from the benchmarks folder
    from _throwaway_database import throwaway_database  # type: ignore[no-redef]
from retentio.db.migrate import upgrade
from retentio.loyalty import (
    CheckoutLine,
    CheckoutRequest,
    CouponRules,
    Discount,
    GiftCardOffer,
    PoolDefinition,
    Stacking,
    calculate_checkout,
    decide_checkout,
    do_accrue,
    do_create_pool,
    do_generate_codes,
    do_issue,
    load_loyalty_config,
    pool_codes,
    read_checkout_facts,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CONFIG = load_loyalty_config(None)  # the shipped programme: tiers, 30 % share, minimums
CATEGORIES = ("kitchen", "tea", "books", "coffee", "toys")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-url", default=None, help="a server where a database may be created")
    parser.add_argument("--calls", type=int, default=3_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"date {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"cpus {os.cpu_count()}")
    print(f"load_average_1m {os.getloadavg()[0]:.2f}")
    print(f"calls {args.calls}")
    print("cart_lines 10")
    print("automatic_promotions 5")
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            _run("sqlite", f"sqlite:///{Path(folder) / 'checkout.db'}", args.calls)
    if args.postgres_url:
        with throwaway_database(args.postgres_url, "checkout") as url:
            _run("postgres", url, args.calls)


def _run(label: str, url: str, calls: int) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        request = _shop(engine)
        read_only = reader(engine)
        with read_only.connect() as connection:  # the answer is the one measured
            answer = calculate_checkout(connection, request, CONFIG, NOW)
        assert len(answer.applied) == 4 and not answer.refused, answer
        card_id = _card_id(engine)

        def calculation() -> None:
            with read_only.connect() as connection:
                calculate_checkout(connection, request, CONFIG, NOW)

        def select_one() -> None:
            with read_only.connect() as connection:
                connection.execute(text("SELECT 1")).scalar_one()

        def primary_key_read() -> None:
            with read_only.connect() as connection:
                connection.execute(text("SELECT * FROM gift_cards WHERE id = :id"), {"id": card_id}).one()

        with read_only.connect() as connection:
            decide_facts = read_checkout_facts(connection, request, CONFIG, NOW)

        def decision() -> None:
            decide_checkout(request, decide_facts, NOW)

        calls_by_name = {
            "calculate": calculation,
            "decide_only": decision,
            "select1": select_one,
            "pk_read": primary_key_read,
        }
        timings, cpu = _timed(calls_by_name, calls)
        for name, samples in timings.items():
            print(f"{label}_{name}_p50_ms {_percentile(samples, 50):.3f}")
            print(f"{label}_{name}_p99_ms {_percentile(samples, 99):.3f}")
        print(f"{label}_calculate_cpu_p99_ms {_percentile(cpu, 99):.3f}")
        ratio = _percentile(timings["calculate"], 99) / _percentile(timings["pk_read"], 99)
        print(f"{label}_calculate_p99_over_pk_read_p99 {ratio:.1f}")
        print(f"{label}_goal_p99_10ms_met {_percentile(timings['calculate'], 99) <= 10}")
    finally:
        engine.dispose()


def _shop(engine: Engine) -> CheckoutRequest:
    """A customer with points, 5 automatic promotions that apply, a code and a gift card."""
    promotions = [
        ("basket-5", Discount(percent=Decimal(5)), Stacking(group="basket"), frozenset()),
        ("basket-100", Discount(amount=Decimal(100)), Stacking(group="basket"), frozenset({"kitchen"})),
        ("basket-tea", Discount(percent=Decimal(10)), Stacking(group="basket"), frozenset({"tea"})),
        ("exclusive-300", Discount(amount=Decimal(300)), Stacking(exclusive=True), frozenset()),
        ("shipping", Discount(free_shipping=True), Stacking(group="shipping"), frozenset()),
    ]
    with engine.begin() as connection:
        do_upsert_customers(connection, [("anna", CustomerUpsert())], NOW)
        for n in range(20):  # a customer with history: 20 lots
            do_accrue(
                connection, "club", "anna", 250, f"order:{n}", NOW, expires_at=NOW + timedelta(days=30 + n)
            )
        for name, discount, stacking, categories in promotions:
            rules = CouponRules("RUB", discount, uses_per_code=None, categories=categories, stacking=stacking)
            do_create_pool(connection, PoolDefinition(name, rules, automatic=True), NOW)
        pool = do_create_pool(
            connection,
            PoolDefinition(
                "code", CouponRules("RUB", Discount(percent=Decimal(3)), stacking=Stacking(group="basket"))
            ),
            NOW,
        )
        do_generate_codes(connection, pool, 1_000)
        code = next(pool_codes(connection, pool))[0]
        card = do_issue(connection, Decimal(1000), "RUB", "paid:1", NOW)
    lines = tuple(
        CheckoutLine(f"SKU-{n}", 1 + n % 3, Decimal(150 + 40 * n), CATEGORIES[n % len(CATEGORIES)])
        for n in range(10)
    )
    return CheckoutRequest(
        "anna", "RUB", lines, codes=(code,), gift_cards=(GiftCardOffer(card.code),), points=300
    )


def _card_id(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT min(id) FROM gift_cards")).scalar_one())


def _timed(
    calls_by_name: dict[str, Callable[[], None]], calls: int
) -> tuple[dict[str, list[float]], list[float]]:
    """Wall-clock milliseconds per call of each, the calls interleaved so the machine's load falls on
    all alike; and the calculation's own CPU time (``thread_time``: time this thread ran), which a
    busy machine's scheduling does not inflate."""
    for _ in range(min(200, calls)):  # warm the pool, the caches and the statement cache
        for call in calls_by_name.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls_by_name}
    cpu: list[float] = []
    for _ in range(calls):
        for name, call in calls_by_name.items():
            started, started_cpu = time.perf_counter(), time.thread_time()
            call()
            samples[name].append((time.perf_counter() - started) * 1000)
            if name == "calculate":
                cpu.append((time.thread_time() - started_cpu) * 1000)
    return samples, cpu


def _percentile(samples: list[float], percent: int) -> float:
    return (
        statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]
        if percent < 100
        else max(samples)
    )


if __name__ == "__main__":
    main()
