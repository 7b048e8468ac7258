"""The CLV models on the store: orders read as columns, fitted, predictions written in bulk."""

from __future__ import annotations

from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from tests.cdnow_events import cdnow_sample_events, ingest_in_batches
from tests.helpers import event, ingest, item, rows

from retentio.analytics.bgnbd import fit_bgnbd
from retentio.analytics.clv_models import CustomerPredictions
from retentio.analytics.clv_queries import get_prediction, load_transactions, replace_predictions
from retentio.analytics.clv_store import ClvFitOptions, ClvFitRefused, do_fit_clv_models
from retentio.analytics.gamma_gamma import fit_gamma_gamma
from retentio.analytics.rfm_summary import RfmSummary, summarise_transactions
from retentio.customers.tables import customer_predictions
from retentio.orders.tables import orders

CALIBRATION_END = datetime(1997, 10, 1, tzinfo=UTC)
DAY = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.datasets
def test_cdnow_sample_through_the_store_gives_the_published_estimates(
    engine: Engine, now: datetime, datasets_dir: Path
) -> None:
    # given: the 1/10 sample ingested as order events, one order per row
    path = datasets_dir / "CDNOW_sample.txt"
    assert ingest_in_batches(engine, cdnow_sample_events(path), now) == 6919

    # when: fitted on the 39-week calibration period, in weeks
    result = do_fit_clv_models(engine, ClvFitOptions(until=CALIBRATION_END, time_unit="week"), now)

    # then: Fader, Hardie & Lee 2005 and Fader & Hardie note 025
    purchases, spend = result.bgnbd, result.gamma_gamma
    assert (purchases.r, purchases.alpha, purchases.a, purchases.b) == pytest.approx(
        (0.243, 4.414, 0.793, 2.426), rel=0.002
    )
    assert purchases.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert (spend.p, spend.q, spend.gamma) == pytest.approx((6.25, 3.74, 15.44), rel=0.002)
    assert spend.log_likelihood == pytest.approx(-4055.92, abs=0.01)
    assert (result.transactions, result.customers, result.repeat_buyers) == (4960, 2357, 946)
    assert result.currency == "USD"
    # and the numbers of the pure path on the file itself (customers in another order: string ids)
    summary = _file_summary(path)
    pure_purchases = fit_bgnbd(summary.frequency, summary.recency, summary.age)
    pure_spend = fit_gamma_gamma(summary.frequency, summary.monetary_value)
    assert astuple(result.bgnbd) == pytest.approx(astuple(pure_purchases), rel=1e-9)
    assert astuple(result.gamma_gamma) == pytest.approx(astuple(pure_spend), rel=1e-9)
    # and a row for every customer of the calibration period, stamped now
    written = rows(engine, "customer_predictions", drop=())
    assert result.predictions_written == len(written) == 2357
    assert sorted(row["customer_id"] for row in written) == sorted(str(i) for i in summary.customer_ids)
    assert {row["computed_at"] for row in written} == {now}
    p_alive = np.array([row["p_alive"] for row in written])
    assert ((p_alive >= 0) & (p_alive <= 1)).all()
    assert result.mean_p_alive == pytest.approx(p_alive.mean())
    assert min(row["expected_purchases_90d"] for row in written) >= 0
    assert min(row["predicted_clv"] for row in written) > 0
    # customer 4 (x = 2, t_x = 30.43, T = 38.86 weeks), as lifetimes' conditional_probability_alive
    with engine.connect() as connection:
        fourth = get_prediction(connection, "4")
    assert fourth is not None
    assert fourth.p_alive == pytest.approx(0.7266, abs=1e-4)


def test_only_counted_orders_are_read_and_returns_are_deducted(engine: Engine, now: datetime) -> None:
    # given: a kept order, a partly returned one, a cancelled one, an anonymous one, a late one
    returned_at, late = DAY + timedelta(days=3), DAY + timedelta(days=10)
    ingest(
        engine,
        [
            _order("kept", "a", DAY, "10.00", quantity=2),
            _order("returned", "a", returned_at, "5.50", quantity=2),
            event("r", "order_returned", late, "a", order_id="returned", items=[item("X", 1, "5.50")]),
            _order("cancelled", "b", DAY, "7.00"),
            event("c", "order_cancelled", DAY + timedelta(hours=1), "b", order_id="cancelled"),
            _order("anonymous", None, DAY, "3.00"),
            _order("late", "b", late, "1.00"),
        ],
        now,
    )

    # when
    with engine.connect() as connection:
        transactions = load_transactions(connection, late)

    # then
    assert transactions.currencies == ("EUR",)
    customer_ids = transactions.customer_names[transactions.customer_codes]
    columns = (customer_ids, transactions.placed_at, transactions.amounts)
    assert sorted(zip(*(column.tolist() for column in columns), strict=True)) == [
        ("a", DAY.replace(tzinfo=None), 20.0),
        ("a", returned_at.replace(tzinfo=None), 5.5),
    ]


def test_predictions_replace_the_previous_ones_in_one_go(engine: Engine, now: datetime) -> None:
    # given: predictions for a and b
    ingest(engine, [event(f"v{c}", "product_viewed", DAY, c, sku="X") for c in "abc"], now)
    with engine.begin() as connection:
        replace_predictions(connection, _predictions(["a", "b"], [0.9, 0.2]), now - timedelta(days=1))

    # when: a later fit only knows b and c
    with engine.begin() as connection:
        written = replace_predictions(connection, _predictions(["b", "c"], [0.4, 0.7]), now)

    # then
    assert written == 2
    assert [
        (row["customer_id"], row["p_alive"], row["computed_at"])
        for row in rows(engine, "customer_predictions", drop=())
    ] == [
        ("b", 0.4, now),
        ("c", 0.7, now),
    ]


@pytest.mark.parametrize(
    ("orders_in", "until", "message"),
    [
        ([], DAY, "no orders placed before 2026-05-01"),
        ([("EUR", 0), ("USD", 1)], DAY + timedelta(days=5), "several currencies (EUR, USD)"),
        ([("EUR", 0)], datetime(2027, 1, 1, tzinfo=UTC), "until 2027-01-01 is after now"),
    ],
)
def test_a_refused_fit_writes_nothing(
    engine: Engine, now: datetime, orders_in: list[tuple[str, int]], until: datetime, message: str
) -> None:
    # given: earlier predictions, and the orders of the case
    ingest(engine, [event("v", "product_viewed", DAY, "a", sku="X")], now)
    with engine.begin() as connection:
        replace_predictions(connection, _predictions(["a"], [0.5]), now - timedelta(days=1))
    ingest(
        engine,
        [_order(f"o{day}", "a", DAY + timedelta(days=day), "1.00", currency) for currency, day in orders_in],
        now,
    )
    before = rows(engine, "customer_predictions", drop=())

    # when
    with pytest.raises(ClvFitRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        do_fit_clv_models(engine, ClvFitOptions(until=until), now)

    # then
    assert rows(engine, "customer_predictions", drop=()) == before
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(customer_predictions)).scalar() == 1
        assert connection.execute(select(func.count()).select_from(orders)).scalar() == len(orders_in)


def _order(
    order_id: str, customer_id: str | None, at: datetime, price: str, currency: str = "EUR", quantity: int = 1
) -> dict[str, Any]:
    total = str(Decimal(price) * quantity)
    properties = {
        "order_id": order_id,
        "items": [item("X", quantity, price)],
        "total": total,
        "currency": currency,
    }
    anonymous_id = None if customer_id else f"visitor-{order_id}"
    return event(order_id, "order_placed", at, customer_id, anonymous_id, **properties)


def _file_summary(path: Path) -> RfmSummary:
    """The calibration summary straight from the file: master id, YYYYMMDD, dollars."""
    raw = np.loadtxt(path, usecols=(0, 2, 4))
    ymd = raw[:, 1].astype(np.int64)
    days = np.array([f"{d // 10000}-{d // 100 % 100:02}-{d % 100:02}" for d in ymd], dtype="datetime64[D]")
    return summarise_transactions(
        raw[:, 0].astype(np.int64), days, raw[:, 2], until=CALIBRATION_END, time_unit="week"
    )


def _predictions(customer_ids: list[str], p_alive: list[float]) -> CustomerPredictions:
    size = len(customer_ids)
    return CustomerPredictions(
        customer_ids=np.array(customer_ids),
        p_alive=np.array(p_alive),
        expected_purchases=np.ones(size),
        expected_purchases_90d=np.ones(size),
        predicted_value=np.full(size, 10.0),
    )
