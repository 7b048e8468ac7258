"""Cells of CSV exports: what a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retentio.cli.csv_export import spreadsheet_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Анна", "Анна"),
        ("a=b", "a=b"),
        ("", ""),
        # plain numbers are read as numbers, never as formulas: phones stay usable
        ("+79991234567", "+79991234567"),
        ("-12.5", "-12.5"),
        (None, None),
        (7, 7),
        (datetime(2026, 6, 1, 12, tzinfo=UTC), "2026-06-01T12:00:00+00:00"),
    ],
)
def test_a_cell_starting_like_a_formula_gets_a_leading_quote(value: object, written: object) -> None:
    assert spreadsheet_cell(value) == written
