"""The ledger under concurrency, on SQLite and PostgreSQL: the same order's accrual delivered ten
times from two processes at once credits once; 200 redemptions racing from threads and processes
never spend more than the balance, and exactly as many succeed as it can pay."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from tests.conftest import REPO_ROOT
from tests.integration.loyalty.ledger.support import (
    PROGRAMME,
    add_customers,
    assert_ledger_holds,
    balance,
    count,
)

from retentio.db.retry import in_transaction
from retentio.loyalty import Balance, NotEnoughPoints, do_accrue, do_redeem

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

# Waits for the start file, then runs ``count`` changes from ``threads`` threads; prints how many
# redemptions were paid and how many refused, and how many accruals were new.
_RACER = """
import sys, time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from retentio.db.engine import make_engine
from retentio.db.retry import in_transaction
from retentio.loyalty import NotEnoughPoints, do_accrue, do_redeem

url, mode, name, first, count, threads, start = sys.argv[1:8]
now = datetime.fromisoformat("2026-06-01T12:00:00+00:00")
engine = make_engine(url)

def one(index):
    if mode == "accrue":
        posted = in_transaction(engine, lambda c: do_accrue(c, "points", "ann", 100, "order:1:base", now))
        return "new" if not posted.repeated else "repeat"
    try:
        in_transaction(engine, lambda c: do_redeem(c, "points", "ann", 7, f"checkout:{name}:{index}", now))
        return "paid"
    except NotEnoughPoints:
        return "refused"

while not Path(start).exists():
    time.sleep(0.01)
with ThreadPoolExecutor(int(threads)) as pool:
    results = list(pool.map(one, range(int(first), int(first) + int(count))))
engine.dispose()
print(" ".join(results))
"""


def race(url: str, mode: str, runs: list[tuple[int, int]], threads: int, start: Path) -> list[str]:
    """Start one process per (first, count) run, let them all go at once, and gather their results."""
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _RACER,
                url,
                mode,
                f"p{index}",
                str(first),
                str(count),
                str(threads),
                str(start),
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index, (first, count) in enumerate(runs)
    ]
    time.sleep(1)  # both are up and polling; the start file releases them together
    start.write_text("go")
    results: list[str] = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        results.extend(out.split())
    return results


def test_the_same_order_delivered_ten_times_from_two_processes_credits_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    # given a customer
    add_customers(engine, ["ann"], T0)
    # when two processes deliver the same order's accrual five times each, at once
    results = race(database_url, "accrue", [(0, 5), (5, 5)], threads=5, start=tmp_path / "start")
    # then exactly one delivery credited it
    assert sorted(results) == ["new"] + ["repeat"] * 9
    assert balance(engine, "ann") == Balance(100, 0, 0)
    with engine.connect() as connection:
        assert count(connection, "SELECT COUNT(*) FROM loyalty_entries") == 1
        assert count(connection, "SELECT COUNT(*) FROM loyalty_lots") == 1
    assert_ledger_holds(engine, PROGRAMME)


def test_200_racing_redemptions_from_threads_never_overspend(engine: Engine) -> None:
    # given 500 points in five lots
    add_customers(engine, ["ann"], T0)
    with engine.begin() as connection:
        for order in range(5):
            do_accrue(connection, PROGRAMME, "ann", 100, f"order:{order}:base", T0)

    def redeem(index: int) -> str:
        try:
            in_transaction(engine, lambda c: do_redeem(c, PROGRAMME, "ann", 7, f"checkout:{index}", T0))
            return "paid"
        except NotEnoughPoints:
            return "refused"

    # when 200 redemptions of 7 race from 12 threads
    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(redeem, range(200)))
    # then 71 are paid (497 points), the others refused, and 3 points are left
    assert results.count("paid") == 71
    assert results.count("refused") == 129
    assert balance(engine, "ann") == Balance(3, 0, 0)
    assert_ledger_holds(engine, PROGRAMME)


def test_200_racing_redemptions_from_two_processes_never_overspend(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    # given 500 points
    add_customers(engine, ["ann"], T0)
    with engine.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 500, "order:1:base", T0)
    # when two processes each send 100 redemptions of 7 from 6 threads, at once
    results = race(database_url, "redeem", [(0, 100), (100, 100)], threads=6, start=tmp_path / "start")
    # then exactly what the balance pays is paid
    assert results.count("paid") == 71
    assert balance(engine, "ann") == Balance(3, 0, 0)
    assert_ledger_holds(engine, PROGRAMME)
