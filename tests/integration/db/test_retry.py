"""A transaction the database gave up is run again from the start; other errors are not retried."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError
from tests.helpers import rows

from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.db.retry import in_transaction


class _Deadlock(Exception):
    sqlstate = "40P01"


class _Gone(Exception):
    sqlstate = "08006"


def test_a_deadlocked_transaction_runs_again_keeping_its_last_run_only(engine: Engine, now: datetime) -> None:
    # given work that is chosen as the deadlock victim on its first run, after writing
    runs: list[int] = []

    def work(connection: Connection) -> int:
        runs.append(len(runs))
        do_upsert_customer(connection, f"run-{len(runs)}", CustomerUpsert(), now)
        if len(runs) == 1:
            raise OperationalError("UPDATE …", {}, _Deadlock("deadlock detected"))
        return len(runs)

    # when
    result = in_transaction(engine, work)
    # then
    assert (result, runs) == (2, [0, 1])
    assert [row["customer_id"] for row in rows(engine, "customers")] == ["run-2"]


def test_other_database_errors_are_not_retried(engine: Engine, now: datetime) -> None:
    runs: list[int] = []

    def work(connection: Connection) -> None:
        runs.append(1)
        do_upsert_customer(connection, "lost", CustomerUpsert(), now)
        raise OperationalError("SELECT 1", {}, _Gone("server closed the connection"))

    with pytest.raises(OperationalError, match="server closed"):
        in_transaction(engine, work)
    assert runs == [1]
    assert rows(engine, "customers") == []
