"""Birthdays and anniversaries of the first order (OFF-7), as pure Polars: which customers have the
occasion ``days_before`` days after a given local day, in each customer's own timezone (the
profile's, else the shop's). 29 February counts on 28 February in other years; the first year
(the birth year, the year of the first order) is no occasion. One occasion per customer and year:
the year names it, so the sweep may run any number of times."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from retentio.offers.occasions.announce import ANNIVERSARY, BIRTHDAY, OFFER_DUE, Occasion

PEOPLE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "customer_id": pl.String,
    "date": pl.Date,
    "timezone": pl.String,
}


def zone_of(name: str | None, default: ZoneInfo) -> ZoneInfo:
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a profile's free text, not a zone: the shop's
        return default


def targets(
    zone_names: Iterable[str | None], now: datetime, default: ZoneInfo, days: Iterable[int], days_before: int
) -> pl.DataFrame:
    """Per timezone name (null: the shop's) and local day ``today + d`` for each ``d`` in ``days``:
    the month and day that have their occasion then, and its date."""
    rows: list[tuple[str | None, int, int, date]] = []
    offsets = list(days)
    for name in zone_names:
        today = now.astimezone(zone_of(name, default)).date()
        for offset in offsets:
            on = today + timedelta(days=offset + days_before)
            rows.append((name, on.month, on.day, on))
            if on.month == 2 and on.day == 28 and not calendar.isleap(on.year):
                rows.append((name, 2, 29, on))
    schema = {"timezone": pl.String, "month": pl.Int8, "day": pl.Int8, "on": pl.Date}
    return pl.DataFrame(rows, schema=schema, orient="row").unique()


def yearly_due(
    people: pl.DataFrame, now: datetime, default: ZoneInfo, days: Iterable[int], days_before: int
) -> pl.DataFrame:
    """``people`` (customer_id, date, timezone) whose occasion falls ``days_before`` days after one
    of the local days ``today + d``: customer_id, date (the birthday or first order), on (the
    occasion's date this time)."""
    zones = people.get_column("timezone").unique().to_list()
    wanted = targets(zones, now, default, days, days_before)
    keyed = people.with_columns(
        month=pl.col("date").dt.month().cast(pl.Int8), day=pl.col("date").dt.day().cast(pl.Int8)
    )
    return (
        keyed.join(wanted, on=["timezone", "month", "day"], nulls_equal=True)
        .filter(pl.col("on").dt.year() > pl.col("date").dt.year())
        .select("customer_id", "date", "on")
        .sort("on", "customer_id")
    )


def birthday_occasions(due: pl.DataFrame, days_before: int) -> list[Occasion]:
    return [
        Occasion(
            OFFER_DUE,
            f"{BIRTHDAY}:{row['customer_id']}:{row['on'].year}",
            row["customer_id"],
            {"occasion": BIRTHDAY, "date": row["on"].isoformat(), "days_before": days_before},
        )
        for row in due.iter_rows(named=True)
    ]


def anniversary_occasions(due: pl.DataFrame, days_before: int) -> list[Occasion]:
    return [
        Occasion(
            OFFER_DUE,
            f"{ANNIVERSARY}:{row['customer_id']}:{row['on'].year}",
            row["customer_id"],
            {
                "occasion": ANNIVERSARY,
                "date": row["on"].isoformat(),
                "years": row["on"].year - row["date"].year,
                "first_order_on": row["date"].isoformat(),
                "days_before": days_before,
            },
        )
        for row in due.iter_rows(named=True)
    ]
