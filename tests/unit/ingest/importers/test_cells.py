"""Cell values read explicitly: numbers as written in Russian and English exports, dates, flags."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from retentio.ingest.importers.cells import (
    derived_id,
    parse_date,
    parse_decimal,
    parse_flag,
    parse_quantity,
    parse_timestamp,
)
from retentio.ingest.importers.tabular import cell_text, sniff_delimiter


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.50", "12.50"),
        ("12,50", "12.50"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,5", "1234.5"),
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("-3", "-3"),
    ],
)
def test_decimals_in_common_spellings(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "1,2,3.4.5", ""])
def test_non_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(text)


def test_quantities_are_whole_numbers() -> None:
    assert (parse_quantity("3"), parse_quantity("-2"), parse_quantity("4,0")) == (3, -2, 4)
    with pytest.raises(ValueError, match="not a whole number"):
        parse_quantity("1.5")


def test_timestamps_iso_and_day_first_read_in_the_given_zone() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    assert parse_timestamp("2026-05-01T10:00:00Z") == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert parse_timestamp("2026-05-01 10:00", moscow) == datetime(2026, 5, 1, 7, tzinfo=UTC)
    assert parse_timestamp("01.05.2026 10:00", moscow) == datetime(2026, 5, 1, 7, tzinfo=UTC)
    assert parse_timestamp("5/1/2026", date_format="%m/%d/%Y") == datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="does not match"):
        parse_timestamp("2026-05-01", date_format="%m/%d/%Y")


def test_dates_and_flags() -> None:
    assert parse_date("17.05.1990") == parse_date("1990-05-17") == date(1990, 5, 17)
    assert [parse_flag(text) for text in ("yes", "Да", "1", "no", "нет", "0")] == [True] * 3 + [False] * 3
    with pytest.raises(ValueError, match="is not yes/no"):
        parse_flag("maybe")


def test_derived_ids_stay_within_128_characters_and_distinct() -> None:
    long_a, long_b = derived_id("csv", "x" * 200, "1"), derived_id("csv", "x" * 200, "2")
    assert derived_id("csv", "shop", "1001") == "csv:shop:1001"
    assert len(long_a) == len(long_b) == 128
    assert long_a != long_b


def test_delimiter_sniffing_and_excel_cells() -> None:
    assert [sniff_delimiter(line) for line in ("a;b;c", "a,b", "a\tb\tc", "a|b", "single")] == [
        ";",
        ",",
        "\t",
        "|",
        ",",
    ]
    assert [cell_text(value) for value in (None, 17850.0, 2.55, True, date(2020, 1, 2), " x ")] == [
        "",
        "17850",
        "2.55",
        "true",
        "2020-01-02",
        "x",
    ]
