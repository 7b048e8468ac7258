"""The cohort retention matrix by month of first order, on a hand-made store."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.helpers import event, ingest, item

from retentio.analytics.metrics import MetricSettings, Period
from retentio.analytics.metrics.cohorts import CohortRow, cohort_matrix
from retentio.analytics.metrics.orders_frame import load_orders_frame

PERIOD = Period.of(datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC))


def placed(order_id: str, customer: str, when: str) -> dict[str, Any]:
    at = datetime.fromisoformat(when).replace(tzinfo=UTC)
    lines = [item("X", 1, "10.00")]
    return event(f"placed-{order_id}", "order_placed", at, customer, order_id=order_id, items=lines,
                 total="10.00", currency="RUB")  # fmt: skip


STORE = [
    placed("p1", "p", "2026-01-20T10:00"),
    placed("p2", "p", "2026-02-05T10:00"),
    placed("p3", "p", "2026-04-02T10:00"),
    placed("q1", "q", "2026-01-31T23:59"),
    placed("r1", "r", "2026-02-28T10:00"),
    placed("r2", "r", "2026-02-28T18:00"),
    placed("r3", "r", "2026-03-01T00:00"),
    placed("s1", "s", "2025-12-01T10:00"),  # s was a customer before the period: no cohort
    placed("s2", "s", "2026-02-01T10:00"),
    placed("t1", "t", "2026-01-10T10:00"),  # before ``from``
    placed("u1", "u", "2026-03-03T10:00"),
    event("cancelled-u1", "order_cancelled", datetime(2026, 3, 4, tzinfo=UTC), "u", order_id="u1"),
    placed("v1", "v", "2026-04-10T00:00"),  # at ``to``: after the period
]


@pytest.fixture
def store(engine: Engine, now: datetime) -> Engine:
    assert ingest(engine, STORE, now).accepted == len(STORE)
    return engine


def test_cohorts_by_month_of_the_first_order(store: Engine) -> None:
    with store.connect() as connection:
        matrix = cohort_matrix(load_orders_frame(connection, PERIOD, MetricSettings()))
    assert matrix.rows == (
        CohortRow("2026-01", 2, (2, 1, 0, 1)),
        CohortRow("2026-02", 1, (1, 1, 0)),
    )
    assert matrix.rows[0].retention == (Decimal(100), Decimal(50), Decimal(0), Decimal(50))


def test_cohorts_of_a_segment(store: Engine) -> None:
    with store.connect() as connection:
        matrix = cohort_matrix(load_orders_frame(connection, PERIOD, MetricSettings(), {"q", "s"}))
    assert matrix.rows == (CohortRow("2026-01", 1, (1, 0, 0, 0)),)


def test_no_new_customers_no_cohorts(store: Engine) -> None:
    later = Period.of(datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    with store.connect() as connection:
        assert cohort_matrix(load_orders_frame(connection, later, MetricSettings())).rows == ()
