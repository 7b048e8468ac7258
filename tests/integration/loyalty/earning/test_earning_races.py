"""The same order delivered ten times by each of two processes at once, each draining the loyalty
consumer as it goes: one accrual, one member, one lot."""

from __future__ import annotations

import multiprocessing
from datetime import datetime

from sqlalchemy import Engine, text
from tests.integration.loyalty.earning.race_worker import deliver
from tests.integration.loyalty.earning.support import balance, consume


def test_an_order_delivered_ten_times_from_two_processes_earns_once(engine: Engine, now: datetime) -> None:
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    processes = [context.Process(target=deliver, args=(url, name, now, start)) for name in ("a", "b")]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    assert [process.exitcode for process in processes] == [0, 0]
    consume(engine, now)
    with engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT (SELECT COUNT(*) FROM events WHERE type = 'order_placed'),"
                " (SELECT COUNT(*) FROM loyalty_entries WHERE source = 'order:o1'),"
                " (SELECT COUNT(*) FROM loyalty_lots),"
                " (SELECT COUNT(*) FROM loyalty_members)"
            )
        ).one()
    # 11 distinct events (e1 and five ids of each process's own) reached the log
    assert tuple(counts) == (11, 1, 2, 1)  # the lots: the order's and the registration's
    assert balance(engine, "ann") == (100, 100, 0)
