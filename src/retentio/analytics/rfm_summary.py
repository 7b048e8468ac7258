"""Per-customer (frequency, recency, T, monetary value) summary for the CLV models.

The BG/NBD and Gamma-Gamma models never see individual transactions: they only need, for each
customer, how many times they came back, when they were last seen and how long we have watched
them. This module computes that summary from raw transaction columns in a few vectorised passes
(sort + unique + bincount), so a million transactions cost a fraction of a second.

Conventions follow the customer-base-analysis literature (Fader, Hardie & Lee 2005) and
``lifetimes.utils.summary_data_from_transaction_data``:

- Purchases are counted per distinct UTC day: several purchases on one day are one "transaction"
  whose spend is the day's total.
- ``frequency`` is the number of *repeat* purchase days (the first day is not counted).
- ``recency`` is the time from the first to the last purchase day, ``age`` (``T`` in the
  literature) the time from the first purchase day to the last day of the calibration period,
  both in whole days divided by the length of the time unit (a week is 7 days, so recency and
  age in weeks need not be integers; a customer who first bought on 1 Jan 1997 has an age of
  272 / 7 = 38.86 weeks at the end of 30 Sep 1997, as in the published CDNOW summary).
- ``monetary_value`` is the mean day total over the repeat purchase days (0 for one-time buyers).

Money here is float on purpose: the summary feeds statistical models, it is not a ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

_DAY_US: Final = 86_400_000_000
_UNIT_DAYS: Final = {"day": 1.0, "week": 7.0}


@dataclass(frozen=True)
class RfmSummary:
    """One row per customer who bought before the end of the calibration period.

    Arrays are aligned: element ``i`` of every array describes ``customer_ids[i]``; customers are
    in ascending id order. ``age`` is ``T`` in the literature. ``unit_days`` is the length of the
    time unit of ``recency`` and ``age``.
    """

    customer_ids: NDArray[Any]
    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    age: NDArray[np.float64]
    monetary_value: NDArray[np.float64]
    unit_days: float


@dataclass(frozen=True)
class _DailyPurchases:
    """Transactions collapsed to one row per (customer, day), sorted by customer then day."""

    customer_codes: NDArray[np.int64]
    days: NDArray[np.int64]
    totals: NDArray[np.float64]


def summarise_transactions(
    customer_ids: ArrayLike | Sequence[str | int],
    timestamps: ArrayLike | Sequence[dt.date],
    amounts: ArrayLike,
    *,
    until: dt.date | dt.datetime | np.datetime64,
    time_unit: str | float = "day",
) -> RfmSummary:
    """Summarise transactions made strictly before ``until`` into an :class:`RfmSummary`.

    ``timestamps`` are anything NumPy turns into ``datetime64`` (dates, naive UTC datetimes,
    ISO strings). ``until`` is the exclusive end of the calibration period; an aware datetime is
    converted to UTC. ``time_unit`` is ``"day"``, ``"week"`` or a positive number of days.
    Raises ``ValueError`` on empty or misaligned input, negative or non-finite amounts, a
    non-positive time unit, or when no transaction falls before ``until``.
    """
    unit_days = _unit_days(time_unit)
    ids, stamps_us, spend = _validated_columns(customer_ids, timestamps, amounts)
    until_us = _as_utc_microseconds(until)
    kept = stamps_us < until_us
    if not kept.any():
        raise ValueError("no transaction falls before `until`; nothing to summarise")
    unique_ids, codes = np.unique(ids[kept], return_inverse=True)
    daily = _collapse_to_days(codes.astype(np.int64), stamps_us[kept] // _DAY_US, spend[kept])
    last_day = -(-until_us // _DAY_US) - 1  # the last calendar day that `until` still includes
    return _summary_from_days(unique_ids, daily, last_day, unit_days)


def _unit_days(time_unit: str | float) -> float:
    """Length of the time unit in days; rejects unknown names and non-positive lengths."""
    if isinstance(time_unit, str):
        if time_unit not in _UNIT_DAYS:
            raise ValueError(f"time_unit must be 'day', 'week' or a number of days, not {time_unit!r}")
        return _UNIT_DAYS[time_unit]
    days = float(time_unit)
    if not np.isfinite(days) or days <= 0:
        raise ValueError(f"time_unit must be a positive number of days, not {time_unit!r}")
    return days


def _validated_columns(
    customer_ids: ArrayLike | Sequence[str | int],
    timestamps: ArrayLike | Sequence[dt.date],
    amounts: ArrayLike,
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.float64]]:
    """Turn the three columns into 1-D arrays of equal, non-zero length with sane amounts."""
    ids = np.asarray(customer_ids)
    stamps = np.asarray(timestamps, dtype="datetime64[us]")
    spend = np.asarray(amounts, dtype=np.float64)
    if ids.ndim != 1 or stamps.ndim != 1 or spend.ndim != 1:
        raise ValueError("customer_ids, timestamps and amounts must be one-dimensional")
    if not len(ids) == len(stamps) == len(spend):
        raise ValueError(
            "customer_ids, timestamps and amounts must have the same length, got "
            f"{len(ids)}, {len(stamps)} and {len(spend)}"
        )
    if len(ids) == 0:
        raise ValueError("no transactions: customer_ids, timestamps and amounts are empty")
    if np.isnat(stamps).any():
        raise ValueError("timestamps contain NaT (missing times)")
    if not np.isfinite(spend).all():
        raise ValueError("amounts contain NaN or infinite values")
    if (spend < 0).any():
        raise ValueError("amounts contain negative values; remove refunds before summarising")
    return ids, stamps.astype(np.int64), spend


def _as_utc_microseconds(moment: dt.date | dt.datetime | np.datetime64) -> int:
    """Microseconds since the epoch, UTC; a plain date means midnight at its start."""
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return int(np.asarray(moment, dtype="datetime64[us]").astype(np.int64))


def _collapse_to_days(
    codes: NDArray[np.int64], days: NDArray[np.int64], spend: NDArray[np.float64]
) -> _DailyPurchases:
    """Sum spend per (customer, day) with one sort, using a single combined integer key."""
    first_day = days.min()
    span = int(days.max() - first_day) + 1
    keys = codes * span + (days - first_day)
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    totals = np.asarray(np.bincount(inverse, weights=spend), dtype=np.float64)
    return _DailyPurchases(unique_keys // span, unique_keys % span + first_day, totals)


def _summary_from_days(
    unique_ids: NDArray[Any], daily: _DailyPurchases, last_day: int, unit_days: float
) -> RfmSummary:
    """Per-customer figures from the sorted day rows: first/last day, counts and repeat spend."""
    starts = np.flatnonzero(np.r_[True, daily.customer_codes[1:] != daily.customer_codes[:-1]])
    ends = np.r_[starts[1:], len(daily.days)] - 1
    frequency = (ends - starts).astype(np.int64)
    first_days = daily.days[starts]
    repeat_day_totals = daily.totals.copy()
    repeat_day_totals[starts] = 0.0  # the first purchase day is not a repeat purchase
    repeat_spend = np.add.reduceat(repeat_day_totals, starts)
    monetary = np.divide(repeat_spend, frequency, out=np.zeros(len(starts)), where=frequency > 0)
    return RfmSummary(
        customer_ids=unique_ids,
        frequency=frequency,
        recency=(daily.days[ends] - first_days) / unit_days,
        age=(last_day - first_days) / unit_days,
        monetary_value=monetary,
        unit_days=unit_days,
    )
