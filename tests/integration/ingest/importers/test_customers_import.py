"""``import customers``: CSV (any delimiter, BOM, cp1251) and Excel, mapped columns, idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from tests.conftest import NOW

from retentio.customers.models import CustomerRecord
from retentio.customers.service import get_customer
from retentio.customers.tables import consent_changes
from retentio.ingest.importers.customers import import_customers
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.report import Problem, SourceError
from retentio.ingest.importers.tabular import TableOptions
from retentio.ingest.stats import StoreCounts

WriteCsv = Callable[..., Path]


def _customer(engine: Engine, customer_id: str) -> CustomerRecord:
    with engine.connect() as connection:
        record = get_customer(connection, customer_id, NOW + timedelta(days=1))
    assert record is not None
    return record


def test_csv_with_bom_is_imported_and_bad_rows_are_reported(
    context: ImportContext, engine: Engine, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "customers.csv"
    path.write_text(
        "\ufeffcustomer_id,email,phone,birthday,consent_email,attributes.city\n"
        "c-1,Ann@Example.COM,8 (916) 123-45-67,1990-05-17,yes,Moscow\n"
        "c-2,not-an-email,,,,\n"
        "c-3,,,31.02.1990,,\n"
        ",x@example.com,,,,\n"
        "c-4,,,17.05.1991,нет,Kazan\n",
        encoding="utf-8",
    )
    # when
    report = import_customers(context, path, TableOptions())
    # then
    assert (report.rows_read, report.accepted, report.duplicates) == (5, 2, 0)
    assert [problem.line for problem in report.sorted_problems()] == [3, 4, 5]
    assert report.sorted_problems()[0].reason.startswith("email: Value error, 'not-an-email' is not an email")
    assert report.sorted_problems()[1].reason.startswith("birthday: '31.02.1990' is not a date")
    assert report.sorted_problems()[2] == Problem(5, "customer_id: empty")
    ann = _customer(engine, "c-1")
    assert (ann.email, ann.phone, ann.birthday) == ("Ann@example.com", "+79161234567", date(1990, 5, 17))
    assert (ann.consents, ann.attributes) == ({"email": True}, {"city": "Moscow"})
    assert _customer(engine, "c-4").consents == {"email": False}


def test_cp1251_semicolon_file_with_russian_headers_is_read_through_the_mapping(
    context: ImportContext, engine: Engine, write_csv: WriteCsv
) -> None:
    # given: what Russian Excel saves as "CSV (разделители - точки с запятой)"
    path = write_csv(
        "клиенты.csv",
        [
            ["Код клиента", "Имя", "Фамилия", "E-mail", "Город"],
            ["k-1", "Анна", "Смирнова", "anna@example.ru", "Москва"],
            ["k-2", "Пётр", "Иванов", "", "Тверь"],
        ],
        delimiter=";",
        encoding="cp1251",
    )
    mapping = ("Код клиента=customer_id", "Имя=first_name", "Фамилия=last_name", "Город=attributes.city")
    # when
    report = import_customers(context, path, TableOptions(mapping=mapping))
    # then
    assert (report.accepted, report.rejected) == (2, 0)
    anna = _customer(engine, "k-1")
    assert (anna.first_name, anna.last_name, anna.email) == ("Анна", "Смирнова", "anna@example.ru")
    assert _customer(engine, "k-2").attributes == {"city": "Тверь"}


def test_xlsx_is_read_with_typed_cells(context: ImportContext, engine: Engine, tmp_path: Path) -> None:
    # given
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["customer_id", "first_name", "birthday", "attributes.card"])
    sheet.append([1001, "Olga", datetime(1985, 3, 8), 4400123.0])
    sheet.append([None, None, None, None])  # empty rows are skipped
    sheet.append([1002, "Ivan", None, None])
    path = tmp_path / "customers.xlsx"
    workbook.save(path)
    # when
    report = import_customers(context, path, TableOptions())
    # then
    assert (report.rows_read, report.accepted, report.rejected) == (2, 2, 0)
    olga = _customer(engine, "1001")
    assert (olga.first_name, olga.birthday, olga.attributes) == (
        "Olga",
        date(1985, 3, 8),
        {"card": "4400123"},
    )


def test_importing_twice_changes_nothing_and_a_later_file_changes_only_its_columns(
    context: ImportContext, engine: Engine, write_csv: WriteCsv, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    first_file = write_csv(
        "a.csv",
        [["customer_id", "email", "consent_sms", "attributes.tier"], ["c-1", "a@example.com", "1", "gold"]],
    )
    import_customers(context, first_file, TableOptions())
    before = _customer(engine, "c-1")
    # when
    again = import_customers(
        ImportContext(engine, context.now + timedelta(days=1), context.ingest, context.progress),
        first_file,
        TableOptions(),
    )
    # then
    assert (again.accepted, again.duplicates) == (0, 1)
    assert _customer(engine, "c-1") == before
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(consent_changes)).scalar_one() == 1
    # when a second file gives another attribute only
    second_file = write_csv("b.csv", [["customer_id", "attributes.city"], ["c-1", "Omsk"]])
    import_customers(context, second_file, TableOptions())
    # then
    after = _customer(engine, "c-1")
    assert (after.email, after.attributes, after.consents) == (
        "a@example.com",
        {"tier": "gold", "city": "Omsk"},
        {"sms": True},
    )
    assert store_counts().customers == 1


@pytest.mark.parametrize(
    ("header", "mapping", "message"),
    [
        (["id", "mail"], ("Email=email",), "the file has no column 'Email'"),
        (["client", "email"], (), "no column for customer_id"),
        (["customer_id"], ("customer_id=e_mail",), "unknown field 'e_mail'"),
    ],
)
def test_a_mapping_that_does_not_fit_the_file_stops_before_writing(
    context: ImportContext,
    write_csv: WriteCsv,
    store_counts: Callable[[], StoreCounts],
    header: list[str],
    mapping: tuple[str, ...],
    message: str,
) -> None:
    # given
    path = write_csv("c.csv", [header, ["x", "y@example.com"]])
    # when
    with pytest.raises(SourceError) as raised:
        import_customers(context, path, TableOptions(mapping=mapping))
    # then
    assert message in str(raised.value)
    assert store_counts().customers == 0


def test_attributes_over_64_kib_are_a_bad_row_and_the_others_are_kept(
    context: ImportContext, engine: Engine, write_csv: WriteCsv
) -> None:
    # given: c-1's attributes fit row by row but not together; c-2's one cell is too large alone
    path = write_csv(
        "customers.csv",
        [
            ["customer_id", "first_name", "attributes.a", "attributes.b"],
            ["c-1", "Anna", "x" * 40_000, ""],
            ["c-1", "Anya", "", "y" * 40_000],
            ["c-2", "Pyotr", "z" * 70_000, ""],
            ["c-3", "Ivan", "small", ""],
        ],
    )
    # when
    report = import_customers(context, path, TableOptions())
    # then
    assert (report.accepted, report.rejected) == (2, 2)
    problems = report.sorted_problems()
    assert [problem.line for problem in problems] == [3, 4]
    assert problems[0].reason.startswith("attributes: the customer's attributes would be 80015 bytes")
    assert problems[1].reason.startswith("attributes: Value error, larger than 65536 bytes as JSON")
    anna = _customer(engine, "c-1")
    assert (anna.first_name, list(anna.attributes)) == ("Anna", ["a"])
    assert _customer(engine, "c-3").attributes == {"a": "small"}
    with engine.connect() as connection:
        assert get_customer(connection, "c-2", NOW) is None


def test_a_nul_character_is_a_bad_row_naming_the_field(
    context: ImportContext, engine: Engine, write_csv: WriteCsv
) -> None:
    # given
    path = write_csv(
        "customers.csv",
        [
            ["customer_id", "first_name", "attributes.city"],
            ["c-1", "An\x00na", ""],
            ["c-\x002", "Pyotr", ""],
            ["c-3", "Ivan", "Ka\x00zan"],
            ["c-4", "Olga", "Kazan"],
        ],
    )
    # when
    report = import_customers(context, path, TableOptions())
    # then
    assert (report.accepted, report.rejected) == (1, 3)
    assert [(problem.line, problem.reason) for problem in report.sorted_problems()] == [
        (2, "first_name: Value error, contains a NUL character (\\u0000)"),
        (3, "customer_id: contains a NUL character (\\u0000)"),
        (4, "attributes: Value error, contains a NUL character (\\u0000)"),
    ]
    assert _customer(engine, "c-4").attributes == {"city": "Kazan"}


def test_a_birthday_in_the_future_is_a_bad_row_and_the_others_are_kept(
    context: ImportContext, engine: Engine, write_csv: WriteCsv
) -> None:
    # given
    path = write_csv(
        "customers.csv",
        [["customer_id", "birthday"], ["c-1", "2999-01-01"], ["c-2", "1990-05-17"], ["c-3", "1850-01-01"]],
    )
    # when
    report = import_customers(context, path, TableOptions())
    # then
    assert (report.accepted, report.rejected) == (1, 2)
    assert [(problem.line, problem.reason) for problem in report.sorted_problems()] == [
        (2, "birthday: 2999-01-01 is in the future"),
        (4, "birthday: Input should be greater than or equal to 1900-01-01"),
    ]
    assert _customer(engine, "c-2").birthday == date(1990, 5, 17)
