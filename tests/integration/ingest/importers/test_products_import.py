"""``import products``: a catalogue file; only the columns present change a stored product."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from retentio.catalog.models import ProductRecord
from retentio.catalog.service import get_product
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.products import import_products
from retentio.ingest.importers.tabular import TableOptions
from retentio.ingest.stats import StoreCounts

WriteCsv = Callable[..., Path]


def _product(engine: Engine, sku: str) -> ProductRecord:
    with engine.connect() as connection:
        record = get_product(connection, sku)
    assert record is not None
    return record


def test_products_are_created_and_bad_rows_reported(
    context: ImportContext, engine: Engine, write_csv: WriteCsv
) -> None:
    # given
    path = write_csv(
        "catalogue.csv",
        [
            ["sku", "title", "category", "price", "margin", "complements", "consumption_days", "colour"],
            ["A-1", "Shampoo", "hair", "1 299,90", "30%", "A-2; A-3", "45", "blue"],
            ["A-2", "Conditioner", "hair", "abc", "", "", "", ""],
            ["A-3", "", "hair", "10", "", "", "", ""],
            ["A-4", "Comb", "", "100.5", "0.1", "", "", ""],
        ],
        delimiter="\t",
    )
    # when
    report = import_products(context, path, TableOptions())
    # then
    assert (report.rows_read, report.accepted, report.rejected) == (4, 2, 2)
    reasons = {problem.line: problem.reason for problem in report.problems}
    assert reasons[3] == "price: 'abc' is not a number"
    assert reasons[4].startswith("name: Field required")
    assert report.notes == ["columns not imported: colour (import one with --map COLUMN=FIELD)"]
    shampoo = _product(engine, "A-1")
    assert (shampoo.name, shampoo.price, shampoo.currency, shampoo.margin) == (
        "Shampoo",
        Decimal("1299.90"),
        "RUB",
        Decimal("0.3"),
    )
    assert (shampoo.complements, shampoo.consumption_days) == (["A-2", "A-3"], 45)


def test_a_second_file_changes_only_its_columns_and_a_repeat_changes_nothing(
    context: ImportContext, engine: Engine, write_csv: WriteCsv, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    full = write_csv(
        "full.csv",
        [["sku", "name", "brand", "price", "currency"], ["B-1", "Kettle", "Bosch", "49.999", "eur"]],
    )
    prices = write_csv("prices.csv", [["sku", "price"], ["B-1", "45"], ["B-1", "44"]])
    first = import_products(context, full, TableOptions())
    # when
    repeat = import_products(context, full, TableOptions())
    changed = import_products(context, prices, TableOptions())
    # then
    assert (first.accepted, repeat.accepted, repeat.duplicates) == (1, 0, 1)
    assert changed.accepted == 2  # both rows changed it; the later one wins
    kettle = _product(engine, "B-1")
    assert (kettle.name, kettle.brand, kettle.price, kettle.currency) == (
        "Kettle",
        "Bosch",
        Decimal("44.00"),
        "EUR",
    )
    assert store_counts().products == 1


def test_a_nul_character_is_a_bad_row_naming_the_field(
    context: ImportContext, engine: Engine, write_csv: WriteCsv
) -> None:
    # given
    path = write_csv(
        "catalogue.csv",
        [
            ["sku", "name", "brand"],
            ["A-1", "Sham\x00poo", ""],
            ["A-\x002", "Comb", ""],
            ["A-3", "Soap", "R\x00"],
            ["A-4", "Brush", "Roastery"],
        ],
    )
    # when
    report = import_products(context, path, TableOptions())
    # then
    assert (report.accepted, report.rejected) == (1, 3)
    assert [(problem.line, problem.reason) for problem in report.sorted_problems()] == [
        (2, "name: Value error, contains a NUL character (\\u0000)"),
        (3, "sku: contains a NUL character (\\u0000)"),
        (4, "brand: Value error, contains a NUL character (\\u0000)"),
    ]
    assert _product(engine, "A-4").brand == "Roastery"
