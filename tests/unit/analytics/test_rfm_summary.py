"""Tests for the per-customer (frequency, recency, age, monetary value) summary."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike
from tests.cdnow_arrays import load_cdnow_sample

from retentio.analytics.rfm_summary import RfmSummary, summarise_transactions

UNTIL = np.datetime64("2024-01-11")  # calibration ends with 2024-01-10


def summarise(
    ids: ArrayLike | Sequence[str | int],
    stamps: ArrayLike | Sequence[dt.date],
    amounts: ArrayLike,
    *,
    until: dt.date | np.datetime64 = UNTIL,
    time_unit: str | float = "day",
) -> RfmSummary:
    return summarise_transactions(ids, stamps, amounts, until=until, time_unit=time_unit)


def test_purchases_on_one_day_count_once_and_spend_adds_up() -> None:
    # given: day 1 twice (first day), day 3 once, day 10 twice
    stamps = [
        "2024-01-01T09:00",
        "2024-01-01T18:00",
        "2024-01-03",
        "2024-01-10T08:00",
        "2024-01-10T20:00",
    ]
    amounts = [5.0, 7.0, 10.0, 4.0, 6.0]

    # when
    summary = summarise([1] * 5, stamps, amounts)

    # then
    assert summary.frequency.tolist() == [2]
    assert summary.recency.tolist() == [9.0]
    assert summary.age.tolist() == [9.0]
    assert summary.monetary_value.tolist() == [10.0]  # (10 + (4 + 6)) / 2 repeat days


def test_one_time_buyer_has_zero_frequency_recency_and_monetary_value() -> None:
    summary = summarise(["a"], ["2024-01-04"], [25.0])

    assert summary.frequency.tolist() == [0]
    assert summary.recency.tolist() == [0.0]
    assert summary.age.tolist() == [6.0]
    assert summary.monetary_value.tolist() == [0.0]


def test_transactions_at_or_after_until_are_ignored() -> None:
    # given: customer 1 buys once inside, once exactly at `until`; customer 2 only after
    ids = [1, 1, 2]
    stamps = ["2024-01-05", "2024-01-11T00:00", "2024-01-12"]

    # when
    summary = summarise(ids, stamps, [1.0, 2.0, 3.0])

    # then
    assert summary.customer_ids.tolist() == [1]
    assert summary.frequency.tolist() == [0]
    assert summary.age.tolist() == [5.0]


def test_until_inside_a_day_keeps_that_day_as_the_last_calibration_day() -> None:
    summary = summarise(
        [1, 1, 1],
        ["2024-01-01", "2024-01-10T11:00", "2024-01-10T13:00"],
        [1.0, 2.0, 4.0],
        until=np.datetime64("2024-01-10T12:00"),
    )

    assert summary.frequency.tolist() == [1]
    assert summary.monetary_value.tolist() == [2.0]
    assert summary.age.tolist() == [9.0]


def test_aware_until_is_converted_to_utc() -> None:
    moscow = dt.timezone(dt.timedelta(hours=3))
    until = dt.datetime(2024, 1, 11, 3, 0, tzinfo=moscow)  # 2024-01-11T00:00 UTC

    summary = summarise([1, 1], ["2024-01-01", "2024-01-11T01:00"], [1.0, 1.0], until=until)

    assert summary.frequency.tolist() == [0]
    assert summary.age.tolist() == [9.0]


def test_plain_dates_are_accepted() -> None:
    summary = summarise(
        [1, 1], [dt.date(2024, 1, 1), dt.date(2024, 1, 8)], [1.0, 3.0], until=dt.date(2024, 1, 11)
    )

    assert summary.frequency.tolist() == [1]
    assert summary.recency.tolist() == [7.0]


def test_week_unit_divides_days_by_seven() -> None:
    ids = [1, 1, 2]
    stamps = ["2024-01-01", "2024-01-08", "2024-01-03"]

    in_days = summarise(ids, stamps, [1.0, 2.0, 3.0], time_unit="day")
    in_weeks = summarise(ids, stamps, [1.0, 2.0, 3.0], time_unit="week")
    in_fortnights = summarise(ids, stamps, [1.0, 2.0, 3.0], time_unit=14)

    assert in_weeks.recency.tolist() == [1.0, 0.0]
    np.testing.assert_allclose(in_weeks.age, in_days.age / 7)
    np.testing.assert_allclose(in_fortnights.age, in_days.age / 14)
    assert in_weeks.unit_days == 7.0
    assert in_weeks.frequency.tolist() == in_days.frequency.tolist()


def test_customers_come_out_in_id_order_with_string_ids() -> None:
    summary = summarise(["b", "a", "b"], ["2024-01-02", "2024-01-03", "2024-01-05"], [1, 2, 3])

    assert summary.customer_ids.tolist() == ["a", "b"]
    assert summary.frequency.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("ids", "stamps", "amounts", "options", "message"),
    [
        ([1], ["2024-01-01"], [-1.0], {}, "negative"),
        ([1], ["2024-01-01"], [float("nan")], {}, "NaN"),
        ([], [], [], {}, "empty"),
        ([1, 2], ["2024-01-01"], [1.0, 2.0], {}, "same length"),
        ([1], ["NaT"], [1.0], {}, "NaT"),
        ([1], ["2024-01-01"], [1.0], {"time_unit": 0}, "positive"),
        ([1], ["2024-01-01"], [1.0], {"time_unit": -7.0}, "positive"),
        ([1], ["2024-01-01"], [1.0], {"time_unit": "month"}, "'day', 'week'"),
        ([1], ["2024-02-01"], [1.0], {}, "before `until`"),  # UNTIL is 2024-01-11
    ],
)
def test_bad_input_is_rejected_with_the_reason(
    ids: list[int],
    stamps: list[str],
    amounts: list[float],
    options: dict[str, float | str],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        summarise(ids, stamps, amounts, time_unit=options.get("time_unit", "day"))


def reference_summary(
    ids: list[int], days: list[int], amounts: list[float], last_day: int
) -> dict[int, tuple[int, int, int, float]]:
    """Loop-per-customer reference: (frequency, recency, age, monetary) in days."""
    per_day: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for customer, day, amount in zip(ids, days, amounts, strict=True):
        if day <= last_day:
            per_day[customer][day] += amount
    result = {}
    for customer, totals in per_day.items():
        ordered = sorted(totals)
        repeat_totals = [totals[day] for day in ordered[1:]]
        monetary = sum(repeat_totals) / len(repeat_totals) if repeat_totals else 0.0
        result[customer] = (
            len(ordered) - 1,
            ordered[-1] - ordered[0],
            last_day - ordered[0],
            monetary,
        )
    return result


transactions = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 40),
        st.floats(0, 1000, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(transactions, st.integers(1, 45))
def test_vectorised_summary_matches_a_per_customer_loop(
    rows: list[tuple[int, int, float]], until_day: int
) -> None:
    ids, days, amounts = (list(column) for column in zip(*rows, strict=True))
    start = np.datetime64("2024-01-01")
    stamps = start + np.array(days, dtype="timedelta64[D]")
    expected = reference_summary(ids, days, amounts, until_day - 1)
    if not expected:
        with pytest.raises(ValueError, match="before `until`"):
            summarise_transactions(ids, stamps, amounts, until=start + until_day)
        return

    summary = summarise_transactions(ids, stamps, amounts, until=start + until_day)

    assert summary.customer_ids.tolist() == sorted(expected)
    got = zip(summary.frequency, summary.recency, summary.age, summary.monetary_value, strict=True)
    for customer, (frequency, recency, age, monetary) in zip(sorted(expected), got, strict=True):
        want = expected[customer]
        assert (frequency, recency, age) == want[:3]
        assert monetary == pytest.approx(want[3], rel=1e-9, abs=1e-9)
        assert 0 <= recency <= age


@pytest.mark.datasets
def test_cdnow_sample_reproduces_the_published_summary() -> None:
    # given
    ids, dates, dollars = load_cdnow_sample()

    # when
    summary = summarise_transactions(ids, dates, dollars, until=np.datetime64("1997-10-01"), time_unit="week")

    # then: 2,357 customers, 946 repeat buyers; customer 1 bought on 1 Jan, 18 Jan and 2 Aug
    assert len(summary.customer_ids) == 2357
    assert int((summary.frequency > 0).sum()) == 946
    assert summary.frequency[0] == 2
    assert summary.recency[0] == pytest.approx(213 / 7)  # 30.43 weeks
    assert summary.age[0] == pytest.approx(272 / 7)  # 38.86 weeks, to the end of 30 Sep
    assert summary.age.min() == pytest.approx(189 / 7)  # the last first-purchase: 31 Mar
    assert summary.monetary_value[0] == pytest.approx((29.73 + 14.96) / 2)
