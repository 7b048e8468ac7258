"""Fit the CLV models on the store's orders and write every customer's predictions.

``do_fit_clv_models`` reads the counted orders placed before ``until`` (one SELECT), summarises
them per customer and distinct day, fits BG/NBD and Gamma-Gamma, predicts every customer and
replaces ``customer_predictions`` in one transaction stamped ``computed_at = now``. Everything that
can fail is checked before that transaction opens, so a refused fit writes nothing and the
previous predictions stay as they were.

Predictions are as of ``until``: P(alive) at that moment, expected purchases in the
``horizon_days`` after it (the table keeps the 90-day figure its column is named for) and the
predicted value, the expected spend over the ``clv_months`` after it (undiscounted; one-time
buyers are valued at the population mean spend per purchase, see ``clv_models``). Cancelled
orders never count and returns are deducted as the store knows them now, even when they were
recorded after ``until``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from datetime import time as time_of_day
from typing import Literal, TypeVar

import numpy as np
from sqlalchemy import Engine

from retentio.analytics.bgnbd import BgNbdParams
from retentio.analytics.clv_models import (
    ClvModelError,
    CustomerPredictions,
    fit_purchases,
    fit_spend,
    predict_customers,
    spend_learners,
)
from retentio.analytics.clv_queries import Transactions, load_transactions, replace_predictions
from retentio.analytics.gamma_gamma import GammaGammaParams
from retentio.analytics.rfm_summary import RfmSummary, summarise_transactions
from retentio.clock import ensure_utc

TimeUnit = Literal["day", "week"]
_Result = TypeVar("_Result")


class ClvFitRefused(ClvModelError):
    """The fit cannot run on this input or this store; nothing was written."""


@dataclass(frozen=True)
class ClvFitOptions:
    until: datetime | None = None  # exclusive end of the history used; None = now
    time_unit: TimeUnit = "week"
    horizon_days: int = 90
    clv_months: int = 12


@dataclass(frozen=True)
class ClvTimings:
    """Wall seconds of each step; ``fit_seconds`` is reading the store up to fitted models."""

    read_seconds: float
    summary_seconds: float
    bgnbd_seconds: float
    gamma_gamma_seconds: float
    predict_seconds: float
    write_seconds: float

    @property
    def fit_seconds(self) -> float:
        return self.read_seconds + self.summary_seconds + self.bgnbd_seconds + self.gamma_gamma_seconds


@dataclass(frozen=True)
class ClvFitResult:
    """What a fit found and wrote. Money figures are model estimates in ``currency``."""

    until: datetime
    time_unit: TimeUnit
    horizon_days: int
    clv_months: int
    computed_at: datetime
    currency: str
    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams
    transactions: int
    customers: int
    repeat_buyers: int
    spend_learners: int  # repeat buyers with positive spend: what Gamma-Gamma learnt from
    predictions_written: int
    mean_p_alive: float
    expected_purchases: float  # the whole base, next ``horizon_days``
    predicted_value: float  # the whole base, next ``clv_months``
    timings: ClvTimings


def do_fit_clv_models(engine: Engine, options: ClvFitOptions, now: datetime) -> ClvFitResult:
    """Fit on the orders before ``options.until`` and replace every customer's predictions.

    Raises :class:`ClvModelError` (``ClvFitRefused`` for bad input) before anything is written.
    """
    now = ensure_utc(now)
    until = _cut_off(options, now)
    with engine.connect() as connection:
        read_seconds, transactions = _timed(lambda: load_transactions(connection, until))
    currency = _single_currency(transactions, until)
    fitted = _fit(transactions, until, options)
    with engine.begin() as connection:
        write_seconds, written = _timed(lambda: replace_predictions(connection, fitted.predictions, now))
    summary, predictions = fitted.summary, fitted.predictions
    return ClvFitResult(
        until=until,
        time_unit=options.time_unit,
        horizon_days=options.horizon_days,
        clv_months=options.clv_months,
        computed_at=now,
        currency=currency,
        bgnbd=fitted.purchases,
        gamma_gamma=fitted.spend,
        transactions=len(transactions.amounts),
        customers=len(summary.customer_ids),
        repeat_buyers=int((summary.frequency > 0).sum()),
        spend_learners=int(spend_learners(summary).sum()),
        predictions_written=written,
        mean_p_alive=float(np.mean(predictions.p_alive)),
        expected_purchases=float(predictions.expected_purchases.sum()),
        predicted_value=float(predictions.predicted_value.sum()),
        timings=ClvTimings(read_seconds, *fitted.seconds, write_seconds),
    )


@dataclass(frozen=True)
class _Fitted:
    summary: RfmSummary
    purchases: BgNbdParams
    spend: GammaGammaParams
    predictions: CustomerPredictions
    seconds: tuple[float, float, float, float]  # summary, BG/NBD, Gamma-Gamma, predictions


def _fit(transactions: Transactions, until: datetime, options: ClvFitOptions) -> _Fitted:
    summary_seconds, summary = _timed(lambda: _summarise(transactions, until, options.time_unit))
    bgnbd_seconds, purchases = _timed(lambda: fit_purchases(summary))
    spend_seconds, spend = _timed(lambda: fit_spend(summary))
    predict_seconds, predictions = _timed(
        lambda: predict_customers(
            summary, purchases, spend, horizon_days=options.horizon_days, clv_months=options.clv_months
        )
    )
    seconds = (summary_seconds, bgnbd_seconds, spend_seconds, predict_seconds)
    return _Fitted(summary, purchases, spend, predictions, seconds)


def _cut_off(options: ClvFitOptions, now: datetime) -> datetime:
    """The end of the history to fit on, once the options are known to be sound."""
    if options.horizon_days < 1:
        raise ClvFitRefused(f"the horizon must be at least 1 day, got {options.horizon_days}")
    if options.clv_months < 1:
        raise ClvFitRefused(f"the value horizon must be at least 1 month, got {options.clv_months}")
    if options.until is None:
        return now
    until = ensure_utc(options.until)
    if until > now:
        raise ClvFitRefused(
            f"until {_moment(until)} is after now ({now.isoformat()}): "
            "the models would count days that have not been seen yet"
        )
    return until


def _single_currency(transactions: Transactions, until: datetime) -> str:
    if not transactions.currencies:
        raise ClvFitRefused(f"no orders placed before {_moment(until)} in the store: nothing to fit")
    if len(transactions.currencies) > 1:
        raise ClvFitRefused(
            f"orders are in several currencies ({', '.join(transactions.currencies)}); "
            "the spend model needs amounts in one currency"
        )
    return transactions.currencies[0]


def _summarise(transactions: Transactions, until: datetime, time_unit: TimeUnit) -> RfmSummary:
    """The per-customer summary, grouped on integer codes and labelled with the customer ids."""
    summary = summarise_transactions(
        transactions.customer_codes,
        transactions.placed_at,
        transactions.amounts,
        until=until,
        time_unit=time_unit,
    )
    return replace(summary, customer_ids=transactions.customer_names[summary.customer_ids])


def _moment(at: datetime) -> str:
    """A day as YYYY-MM-DD when it starts at midnight UTC, else ISO 8601."""
    return at.date().isoformat() if at.time() == time_of_day() else at.isoformat()


def _timed(run: Callable[[], _Result]) -> tuple[float, _Result]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result
