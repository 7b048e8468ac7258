"""The points ledger: committed ledger transactions per second from concurrent clients, and the
nightly expiry of a million lots.

Transactions: ``--clients`` processes (8) each run ``--transactions`` changes, an accrual for a
random customer of ``--customers`` and a redemption of half of it in turn (each a transaction of its own:
``do_accrue`` / ``do_redeem`` through ``engine.begin()``). The floor, in the same run, same
processes and server: a bare transaction of one INSERT and one UPDATE of a balance row
(``--synchronous-commit-off``: both without waiting for the WAL flush). Batches: the same processes,
each a tenth as many transactions of ``do_accrue_many`` for ``--batch`` random customers; then one
process awarding every customer points three times, 1,000 customers a transaction.

Nightly expiry: ``--lots`` lots (1,000,000) of ``--lot-customers`` customers, all past their expiry,
generated straight into the tables; ``do_nightly`` expires them (entries, balances, lots, one
``points_expired`` event per customer). The floor: the same rows' bare INSERT … SELECT into a copy
and one UPDATE of every lot, in one transaction.

    python benchmarks/loyalty_ledger.py [--postgres-url URL] [--clients 8] [--transactions 2000]

Without ``--postgres-url`` only the SQLite figures are printed. A database of its own is created on
the server and dropped afterwards. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.db.engine import make_engine

try:
    from benchmarks._throwaway_database import throwaway_database
except ImportError:  # run as a script from the benchmarks folder
    from _throwaway_database import throwaway_database  # type: ignore[no-redef]
from retentio.db.migrate import upgrade
from retentio.db.retry import in_transaction
from retentio.loyalty import do_accrue, do_nightly, do_redeem

PROGRAMME = "points"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-url", default=None, help="a server where a database may be created")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=2_000, help="per client")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--lots", type=int, default=1_000_000)
    parser.add_argument("--lot-customers", type=int, default=100_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-transactions", action="store_true")
    parser.add_argument("--skip-expiry", action="store_true")
    parser.add_argument(
        "--synchronous-commit-off",
        action="store_true",
        help="PostgreSQL clients (ledger and floor alike) commit without waiting for the WAL flush",
    )
    parser.add_argument("--batch", type=int, default=100, help="accruals per do_accrue_many transaction")
    parser.add_argument("--skip-many", action="store_true", help="no do_accrue_many figure (older code)")
    parser.add_argument(
        "--spread",
        action="store_true",
        help="deal each customer's lots out over all chunks (lot n to customer n mod customers)",
    )
    args = parser.parse_args()
    os.environ["BENCH_BATCH"] = str(args.batch)  # read by the spawned batch clients
    print(f"date {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"cpus {os.cpu_count()}")
    print(f"load_average_1m {os.getloadavg()[0]:.2f}")
    print(f"clients {args.clients}")
    print(f"transactions_per_client {args.transactions}")
    print(f"lots {args.lots}")
    print(f"lot_customers {args.lot_customers}")
    print(f"lots_spread_over_chunks {args.spread}")
    print(f"synchronous_commit_off {args.synchronous_commit_off}")
    print(f"accrue_many_batch {args.batch}")
    if not args.skip_sqlite:
        if not args.skip_transactions:
            with tempfile.TemporaryDirectory() as folder:
                _transactions("sqlite", f"sqlite:///{Path(folder) / 'ledger.db'}", args)
        if not args.skip_expiry:
            with tempfile.TemporaryDirectory() as folder:
                _expiry("sqlite", f"sqlite:///{Path(folder) / 'lots.db'}", args)
    if args.postgres_url:
        if not args.skip_transactions:
            with throwaway_database(args.postgres_url, "loyalty") as url:
                if args.synchronous_commit_off:
                    url += "?options=-csynchronous_commit%3Doff"
                _transactions("postgresql", url, args)
        if not args.skip_expiry:
            with throwaway_database(args.postgres_url, "loyalty") as url:
                _expiry("postgresql", url, args)
    print(f"load_average_1m_after {os.getloadavg()[0]:.2f}")


def _transactions(dialect: str, url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    upgrade(engine)
    customer_ids = [f"c{index}" for index in range(args.customers)]
    with engine.begin() as connection:
        do_upsert_customers(
            connection, [(customer_id, CustomerUpsert()) for customer_id in customer_ids], NOW
        )
        key = "BIGINT GENERATED ALWAYS AS IDENTITY" if dialect == "postgresql" else "INTEGER"
        connection.execute(
            text(f"CREATE TABLE bench_floor_entries (id {key} PRIMARY KEY, customer_id TEXT, points INTEGER)")
        )
        connection.execute(
            text("CREATE TABLE bench_floor_balances (customer_id TEXT PRIMARY KEY, points INTEGER)")
        )
        connection.execute(
            text("INSERT INTO bench_floor_balances VALUES (:c, 0)"),
            [{"c": customer_id} for customer_id in customer_ids],
        )
    engine.dispose()
    seconds = _clients(url, args, _ledger_client)
    floor = _clients(url, args, _floor_client)
    many = None if args.skip_many else _clients(url, args, _many_client)
    engine = make_engine(url)
    with engine.connect() as connection:
        negative = connection.execute(
            text("SELECT COUNT(*) FROM loyalty_balances WHERE available < 0")
        ).scalar_one()
        entries = connection.execute(text("SELECT COUNT(*) FROM loyalty_entries")).scalar_one()
    engine.dispose()
    assert negative == 0
    total = args.clients * args.transactions
    print(f"{dialect}_ledger_entries_written {entries}")
    print(f"{dialect}_ledger_transactions_per_second {total / seconds:.0f}")
    print(f"{dialect}_floor_insert_update_transactions_per_second {total / floor:.0f}")
    print(f"{dialect}_ratio_to_floor {floor / seconds:.3f}")
    if many is not None:
        accruals = args.clients * (args.transactions // 10) * args.batch
        print(f"{dialect}_accrue_many_accruals_per_second {accruals / many:.0f}")
        print(f"{dialect}_accrue_many_ratio_to_floor_transactions {(accruals / many) / (total / floor):.3f}")
        awarded, award_seconds = _award_everyone(url, args.customers)
        print(f"{dialect}_award_all_customers_accruals_per_second {awarded / award_seconds:.0f}")
        print(
            f"{dialect}_award_ratio_to_floor_transactions {(awarded / award_seconds) / (total / floor):.3f}"
        )


def _clients(url: str, args: argparse.Namespace, target: Callable[..., None]) -> float:
    context = multiprocessing.get_context("spawn")
    readies = [context.Event() for _ in range(args.clients)]
    start = context.Event()
    processes = [
        context.Process(target=target, args=(url, index, args.transactions, args.customers, ready, start))
        for index, ready in enumerate(readies)
    ]
    for process in processes:
        process.start()
    for ready in readies:
        ready.wait()
    started = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return time.perf_counter() - started


def _ledger_client(url: str, index: int, transactions: int, customers: int, ready: Any, start: Any) -> None:
    engine = make_engine(url)
    chooser = random.Random(index)
    with engine.connect():
        pass  # connected before the clock starts
    ready.set()
    start.wait()
    customer_id = ""
    for number in range(transactions):
        source = f"bench:{index}:{number}"
        if number % 2 == 0:
            # a random customer earns; the next transaction spends half of it (other clients may
            # have spent from the same customer meanwhile: then the redemption is refused)
            customer_id = f"c{chooser.randrange(customers)}"
            in_transaction(
                engine, lambda c, who=customer_id, key=source: do_accrue(c, PROGRAMME, who, 10, key, NOW)
            )
        else:
            in_transaction(engine, lambda c, who=customer_id, key=source: _redeem_some(c, who, key))
    engine.dispose()


def _many_client(url: str, index: int, transactions: int, customers: int, ready: Any, start: Any) -> None:
    """A tenth as many transactions as the other clients, each ``do_accrue_many`` of ``batch``
    random customers (as a nightly award or an import would)."""
    from retentio.loyalty import Accrual, do_accrue_many

    batch = int(os.environ.get("BENCH_BATCH", "100"))
    engine = make_engine(url)
    chooser = random.Random(1_000 + index)
    with engine.connect():
        pass
    ready.set()
    start.wait()
    for number in range(transactions // 10):
        who = chooser.sample(range(customers), batch)
        lines = [Accrual(f"c{customer}", 10, f"many:{index}:{number}:{customer}") for customer in who]
        in_transaction(engine, lambda c, chosen=lines: do_accrue_many(c, PROGRAMME, chosen, NOW))
    engine.dispose()


def _award_everyone(url: str, customers: int, batch: int = 1_000, rounds: int = 3) -> tuple[int, float]:
    """One process gives every customer points ``rounds`` times, ``batch`` customers per
    ``do_accrue_many`` transaction, as a nightly award or an import would: accruals and seconds."""
    from retentio.loyalty import Accrual, do_accrue_many

    engine = make_engine(url)
    started = time.perf_counter()
    for round_number in range(rounds):
        for first in range(0, customers, batch):
            lines = [
                Accrual(f"c{customer}", 10, f"award:{round_number}")
                for customer in range(first, min(first + batch, customers))
            ]
            in_transaction(engine, lambda c, chosen=lines: do_accrue_many(c, PROGRAMME, chosen, NOW))
    seconds = time.perf_counter() - started
    engine.dispose()
    return customers * rounds, seconds


def _redeem_some(connection: Any, customer_id: str, source: str) -> None:
    from retentio.loyalty import NotEnoughPoints

    # A customer the accruals have not reached yet is refused: still a committed transaction. No
    # savepoint: a refusal is raised before anything is written, and the transaction goes on.
    with contextlib.suppress(NotEnoughPoints):
        do_redeem(connection, PROGRAMME, customer_id, 5, source, NOW)


def _floor_client(url: str, index: int, transactions: int, customers: int, ready: Any, start: Any) -> None:
    engine = make_engine(url)
    chooser = random.Random(index)
    with engine.connect():
        pass
    ready.set()
    start.wait()
    for _ in range(transactions):
        customer_id = f"c{chooser.randrange(customers)}"
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_floor_entries (customer_id, points) VALUES (:c, 10)"),
                {"c": customer_id},
            )
            connection.execute(
                text("UPDATE bench_floor_balances SET points = points + 10 WHERE customer_id = :c"),
                {"c": customer_id},
            )
    engine.dispose()


def _expiry(dialect: str, url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    upgrade(engine)
    _generate_lots(engine, args.lots, args.lot_customers, args.spread)
    started = time.perf_counter()
    result = do_nightly(engine, NOW, expiring_days=7)
    seconds = time.perf_counter() - started
    assert result.expired == args.lots, result
    with engine.connect() as connection:
        left = connection.execute(
            text("SELECT COALESCE(SUM(available), 0) FROM loyalty_balances")
        ).scalar_one()
        told = connection.execute(
            text("SELECT COUNT(*) FROM events WHERE type = 'points_expired'")
        ).scalar_one()
    assert left == 0, left
    print(f"{dialect}_nightly_expiry_lots {result.expired}")
    print(f"{dialect}_nightly_expiry_events {told}")
    print(f"{dialect}_nightly_expiry_seconds {seconds:.1f}")
    # the floor: the same lots again, written once to a copy and updated once, bare
    with engine.begin() as connection:
        connection.execute(text("UPDATE loyalty_lots SET remaining = amount, expired = 0"))
        connection.execute(text("CREATE TABLE bench_floor_copy AS SELECT * FROM loyalty_lots WHERE 1 = 0"))
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bench_floor_copy SELECT * FROM loyalty_lots"))
        connection.execute(text("UPDATE loyalty_lots SET expired = expired + remaining, remaining = 0"))
    floor = time.perf_counter() - started
    engine.dispose()
    print(f"{dialect}_floor_insert_select_update_seconds {floor:.1f}")
    print(f"{dialect}_nightly_expiry_ratio_to_floor {floor / seconds:.3f}")


def _generate_lots(engine: Engine, lots: int, customers: int, spread: bool) -> None:
    """``lots`` lots of 10 points, all expired a day before ``NOW``, and their customers' balances.
    A customer's lots are adjacent by default (lots that expire together were earned together, so
    their ids are close); ``spread`` deals them out round the whole range, the worst case for the
    one ``points_expired`` per customer and chunk."""
    owner = "(n % :customers)" if spread else "((n - 1) / (:lots / :customers))"
    expired_at = NOW - timedelta(days=1)
    created_at = NOW - timedelta(days=400)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            numbers = "SELECT generate_series(1, :n) AS n"
        else:
            numbers = (
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :n) SELECT n FROM s"
            )
        connection.execute(
            text(
                "INSERT INTO loyalty_lots (id, programme, customer_id, amount, remaining, returned, expired,"
                " active_at, activated, expires_at)"
                f" SELECT n, '{PROGRAMME}', 'c' || {owner}, 10, 10, 0, 0, :created, 1, :expires"
                f" FROM ({numbers}) g"
            ),
            {
                "n": lots,
                "lots": lots,
                "customers": customers,
                "created": _stamp(engine, created_at),
                "expires": _stamp(engine, expired_at),
            },
        )
        connection.execute(
            text(
                "INSERT INTO loyalty_balances (programme, customer_id, available, pending, debt, updated_at)"
                " SELECT programme, customer_id, SUM(remaining), 0, 0, :created FROM loyalty_lots"
                " GROUP BY programme, customer_id"
            ),
            {"created": _stamp(engine, created_at)},
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE loyalty_lots"))
            connection.execute(text("VACUUM ANALYZE loyalty_balances"))


def _stamp(engine: Engine, moment: datetime) -> Any:
    # SQLite stores naive UTC text (``db.types.UtcDateTime``); PostgreSQL takes the aware value.
    return moment.replace(tzinfo=None).isoformat(sep=" ") if engine.dialect.name == "sqlite" else moment


if __name__ == "__main__":
    main()
