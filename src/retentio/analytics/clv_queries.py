"""The SQL of the CLV models: read the transactions as columns, replace and read predictions.

Transactions are the orders that count (placed, not cancelled, with a known customer), worth
their total less what was returned. They are read in one SELECT straight into NumPy columns:
times as whole epoch seconds computed by the database (no per-row datetime objects), amounts in
minor units converted with each currency's digits. Reading every order and writing a row per
customer are the hot paths here, so both go through the driver (``retentio.db.codec``), like
ingest does; the one-row read goes through SQLAlchemy Core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, delete, select

from retentio.analytics.clv_models import CustomerPredictions
from retentio.customers import customer_predictions
from retentio.db.codec import codec_for, executemany, fetchall
from retentio.types.money import minor_digits

_COUNTED_BEFORE_CUT_OFF = (
    "customer_id IS NOT NULL AND placed_at IS NOT NULL AND cancelled_at IS NULL AND currency IS NOT NULL"
)
# The cut-off usually keeps nearly every order, and SQLite would then fetch them one by one through
# ix_orders_placed_at; likely() (same truth value) makes it scan the table instead, twice as fast.
_SQLITE_TRANSACTIONS = (
    "SELECT customer_id, CAST(strftime('%s', placed_at) AS INTEGER), total_minor - returned_minor, currency "
    f"FROM orders WHERE {_COUNTED_BEFORE_CUT_OFF} AND likely(placed_at < ?)"
)
_POSTGRES_TRANSACTIONS = (
    "SELECT customer_id, CAST(floor(extract(epoch FROM placed_at)) AS BIGINT), total_minor - returned_minor, "
    f"currency FROM orders WHERE {_COUNTED_BEFORE_CUT_OFF} AND placed_at < %s"
)
_INSERT_PREDICTION = (
    "INSERT INTO customer_predictions "
    "(customer_id, p_alive, expected_purchases_90d, predicted_clv, computed_at) VALUES ({marks})"
)


@dataclass(frozen=True)
class Transactions:
    """Aligned columns, one element per counted order placed before the cut-off.

    Customers come as integer codes (``customer_names[code]`` is the id): the models group by
    customer, and grouping integers is many times faster than grouping strings.
    """

    customer_codes: NDArray[np.int64]
    customer_names: NDArray[np.object_]
    placed_at: NDArray[np.datetime64]
    amounts: NDArray[np.float64]
    currencies: tuple[str, ...]  # the distinct currencies of the orders, sorted


@dataclass(frozen=True)
class CustomerPrediction:
    """One customer's row of ``customer_predictions``."""

    customer_id: str
    p_alive: float | None
    expected_purchases_90d: float | None
    predicted_clv: float | None
    computed_at: datetime


def load_transactions(connection: Connection, until: datetime) -> Transactions:
    """Every counted order placed strictly before ``until``, as columns."""
    codec = codec_for(connection)
    sql = _POSTGRES_TRANSACTIONS if codec.is_postgres else _SQLITE_TRANSACTIONS
    rows = fetchall(connection, sql, [codec.timestamp(until)])
    customer_ids, seconds, net_minor, currencies = zip(*rows, strict=True) if rows else ((), (), (), ())
    codes, names = _factorised(customer_ids)
    currency_codes = tuple(sorted(set(currencies)))
    return Transactions(
        customer_codes=codes,
        customer_names=names,
        placed_at=np.array(seconds, dtype=np.int64).astype("datetime64[s]"),
        amounts=_major_units(np.array(net_minor, dtype=np.float64), currencies, currency_codes),
        currencies=currency_codes,
    )


def replace_predictions(connection: Connection, predictions: CustomerPredictions, now: datetime) -> int:
    """Swap the whole table for ``predictions`` (run inside the caller's transaction)."""
    codec = codec_for(connection)
    stamp = codec.timestamp(now)
    columns = zip(
        predictions.customer_ids.tolist(),
        predictions.p_alive.tolist(),
        predictions.expected_purchases_90d.tolist(),
        predictions.predicted_value.tolist(),
        strict=True,
    )
    rows = [
        (str(customer_id), p_alive, expected, value, stamp)
        for customer_id, p_alive, expected, value in columns
    ]
    connection.execute(delete(customer_predictions))
    executemany(connection, _INSERT_PREDICTION.format(marks=codec.marks(5)), rows)
    return len(rows)


def get_prediction(connection: Connection, customer_id: str) -> CustomerPrediction | None:
    row = connection.execute(
        select(customer_predictions).where(customer_predictions.c.customer_id == customer_id)
    ).one_or_none()
    return None if row is None else CustomerPrediction(**row._mapping)


def _factorised(customer_ids: tuple[str, ...]) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Integer codes in order of first appearance, and the id of each code."""
    index: dict[str, int] = {}
    codes = np.fromiter(
        (index.setdefault(customer_id, len(index)) for customer_id in customer_ids),
        dtype=np.int64,
        count=len(customer_ids),
    )
    return codes, np.array(list(index), dtype=np.object_)


def _major_units(
    net_minor: NDArray[np.float64], currencies: tuple[str, ...], codes: tuple[str, ...]
) -> NDArray[np.float64]:
    """Amounts in major units; a return larger than its order counts as 0."""
    scales = {code: 10.0 ** minor_digits(code) for code in codes}
    if len(codes) == 1:  # the usual case: one division for the whole column
        return np.maximum(net_minor, 0.0) / scales[codes[0]]
    scale = np.array([scales[currency] for currency in currencies])
    return np.asarray(np.maximum(net_minor, 0.0) / scale, dtype=np.float64)
