"""Birthdays and first-order anniversaries: days before, the customer's own timezone, 29 February,
no occasion in the first year, one per customer and year."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from retentio.offers.occasions.settings import OccasionSettingsError, parse_occasion_settings
from retentio.offers.occasions.yearly import (
    PEOPLE_SCHEMA,
    anniversary_occasions,
    birthday_occasions,
    yearly_due,
)

SHOP = ZoneInfo("Europe/Moscow")


def people(rows: list[tuple[str, date, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PEOPLE_SCHEMA, orient="row")


def test_a_birthday_is_due_days_before_in_the_customers_own_timezone() -> None:
    # 22:30 UTC on 7 March: already 8 March in Moscow and Vladivostok, still 7 March in New York.
    now = datetime(2027, 3, 7, 22, 30, tzinfo=UTC)
    base = people(
        [
            ("moscow", date(1990, 3, 11), None),
            ("vladivostok", date(1985, 3, 11), "Asia/Vladivostok"),
            ("new_york", date(1985, 3, 11), "America/New_York"),
            ("nonsense_zone", date(1985, 3, 11), "Mars/Olympus"),
            ("born_later", date(1985, 3, 12), None),
        ]
    )
    due = yearly_due(base, now, SHOP, range(0, 1), days_before=3)
    assert sorted(due.get_column("customer_id")) == ["moscow", "nonsense_zone", "vladivostok"]
    occasions = birthday_occasions(due, 3)
    assert {o.event_id for o in occasions} >= {"occ:offer_due:birthday:moscow:2027"}
    assert occasions[0].properties == {"occasion": "birthday", "date": "2027-03-11", "days_before": 3}


def test_29_february_counts_on_28_february_in_other_years_and_the_first_year_is_none() -> None:
    now = datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    base = people([("leap", date(2000, 2, 29), None), ("new", date(2027, 2, 28), None)])
    due = yearly_due(base, now, SHOP, range(0, 1), days_before=0)
    assert due.get_column("customer_id").to_list() == ["leap"]


def test_anniversaries_count_the_years_since_the_first_order() -> None:
    now = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    due = yearly_due(people([("c1", date(2024, 6, 1), None)]), now, SHOP, range(-1, 1), days_before=0)
    (occasion,) = anniversary_occasions(due, 0)
    assert occasion.event_id == "occ:offer_due:anniversary:c1:2027"
    assert occasion.properties["years"] == 3


def test_a_wrong_settings_value_names_the_file_and_the_key() -> None:
    with pytest.raises(OccasionSettingsError, match=r"mine.toml:2: cart.after_minutes: .*greater than 0"):
        parse_occasion_settings("[cart]\nafter_minutes = 0\n", Path("mine.toml"))
    with pytest.raises(OccasionSettingsError, match=r"mine.toml:2: viewed.after_days: unknown key"):
        parse_occasion_settings("[viewed]\nafter_days = 1\n", Path("mine.toml"))


def test_the_shipped_settings_file_holds_the_defaults() -> None:
    from retentio.offers import load_occasion_settings
    from retentio.offers.occasions.settings import OccasionSettings

    assert load_occasion_settings(None) == OccasionSettings()
