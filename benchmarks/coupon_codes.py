"""Coupon codes: 1,000,000 generated and stored in one pool (goal ≤ 10 s), and the floor.

The figure: ``do_generate_codes`` for ``--codes`` codes in one transaction — random bytes from
``secrets``, mapped onto the alphabet, prefixed, and stored (COPY on PostgreSQL, ``executemany`` on
SQLite) under the unique index on ``code``. The floor, in the same run, on the same table and
indexes, in a fresh pool: storing ``--codes`` strings made beforehand through the same storing
function, so the ratio is what generation and the checks cost over the bare insert.

    python benchmarks/coupon_codes.py [--postgres-url URL] [--codes 1000000]

Without ``--postgres-url`` only the SQLite figures are printed. A database of its own is created on
the server and dropped afterwards. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from retentio.db.engine import make_engine

try:
    from benchmarks._throwaway_database import throwaway_database
except ImportError:  # run as a script from the benchmarks folder
    from _throwaway_database import throwaway_database  # type: ignore[no-redef]
from retentio.db.migrate import upgrade
from retentio.loyalty import CouponRules, Discount, PoolDefinition, do_create_pool, do_generate_codes
from retentio.loyalty.coupons.codes import random_parts
from retentio.loyalty.coupons.pools import store_codes

NOW = datetime(2026, 12, 6, tzinfo=UTC)
RULES = CouponRules(currency="RUB", discount=Discount(percent=Decimal(10)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-url", default=None, help="a server where a database may be created")
    parser.add_argument("--codes", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args.codes)
    if args.postgres_url:
        with throwaway_database(args.postgres_url, "coupons") as url:
            _measure("postgresql", url, args.codes)


def _measure(dialect: str, url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    try:
        with engine.begin() as connection:
            pool = do_create_pool(connection, PoolDefinition("bench", RULES, prefix="BNCH"), NOW)
            floor_pool = do_create_pool(connection, PoolDefinition("floor", RULES, prefix="FLR"), NOW)
        started = time.perf_counter()
        with engine.begin() as connection:
            stored = do_generate_codes(connection, pool, count)
        seconds = time.perf_counter() - started
        assert stored == count
        ready = random_parts(count, pool.code_length, "FLR", ordered=True)
        started = time.perf_counter()
        with engine.begin() as connection:
            for start in range(0, count, 200_000):
                store_codes(connection, floor_pool.id, ready[start : start + 200_000])
        floor = time.perf_counter() - started
    finally:
        engine.dispose()
    print(f"{dialect}_codes_per_second {count / seconds:,.0f}")
    print(f"{dialect}_seconds_for_{count} {seconds:.2f}")
    print(f"{dialect}_floor_seconds_storing_{count}_ready_strings {floor:.2f}")
    print(f"{dialect}_ratio_to_floor {seconds / floor:.2f}")


if __name__ == "__main__":
    main()
