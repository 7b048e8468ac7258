"""``retentio import customers``: a CSV or Excel file of customers, one per row.

Fields: ``customer_id`` (required), the contact and profile fields of ``CustomerUpsert``,
``consent_<channel>`` (yes/no) and ``attributes.<name>`` for free attributes. Empty cells change
nothing; a later row for the same customer wins.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from retentio.customers import Channel, CustomerUpsert
from retentio.db.json_values import NUL_MESSAGE
from retentio.ingest.importers.cells import parse_date, parse_flag
from retentio.ingest.importers.customer_upserts import CustomerRow, upsert_customers
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.mapping import ATTRIBUTE_PREFIX, Fields, resolve
from retentio.ingest.importers.report import ImportReport, describe_error
from retentio.ingest.importers.tabular import TableOptions, read_table

CONSENT_PREFIX = "consent_"
_PLAIN = ("email", "phone", "first_name", "last_name", "timezone", "locale", "telegram_id", "viber_id")
FIELDS = Fields(
    known=(
        "customer_id",
        *_PLAIN,
        "birthday",
        *(f"{CONSENT_PREFIX}{channel}" for channel in get_args(Channel)),
    ),
    required=("customer_id",),
    aliases={"id": "customer_id", "external_id": "customer_id", "e_mail": "email", "mobile": "phone"},
    free_attributes=True,
)


def import_customers(context: ImportContext, path: Path, options: TableOptions) -> ImportReport:
    context.progress.start(f"reading {path.name}", None)
    table = read_table(path, options.delimiter, options.sheet)
    columns = resolve(table.columns, options.mapping, FIELDS)
    report = ImportReport(rows_read=len(table.rows))
    report.note_unused_columns(columns.unused)
    source = f"import:{options.source or path.name}"[:200]
    rows: list[CustomerRow] = []
    for row in table.rows:
        values = columns.values(row)
        try:
            rows.append(CustomerRow(row.line, _customer_id(values), customer_input(values, source, options)))
        except ValueError as error:  # pydantic's ValidationError is a ValueError too
            report.reject(row.line, describe_error(error))
    context.progress.start("importing customers", len(rows))
    counts = upsert_customers(context, rows, report)
    report.accepted, report.duplicates = counts.changed, counts.unchanged
    return report


def customer_input(values: dict[str, str], source: str, options: TableOptions) -> CustomerUpsert:
    data: dict[str, Any] = {name: values[name] for name in _PLAIN if name in values}
    if "birthday" in values:
        try:
            data["birthday"] = parse_date(values["birthday"], options.date_format)
        except ValueError as error:
            raise ValueError(f"birthday: {error}") from None
    attributes = {
        name.removeprefix(ATTRIBUTE_PREFIX): text
        for name, text in values.items()
        if name.startswith(ATTRIBUTE_PREFIX)
    }
    if attributes:
        data["attributes"] = attributes
    data["consents"] = _consents(values, source)
    return CustomerUpsert.model_validate(data)


def _customer_id(values: dict[str, str]) -> str:
    customer_id = values.get("customer_id", "")
    if not customer_id:
        raise ValueError("customer_id: empty")
    if len(customer_id) > 128:
        raise ValueError("customer_id: longer than 128 characters")
    if "\x00" in customer_id:
        raise ValueError(f"customer_id: {NUL_MESSAGE}")
    return customer_id


def _consents(values: dict[str, str], source: str) -> list[dict[str, Any]]:
    consents = []
    for name, text in values.items():
        if name.startswith(CONSENT_PREFIX):
            try:
                granted = parse_flag(text)
            except ValueError as error:
                raise ValueError(f"{name}: {error}") from None
            channel = name.removeprefix(CONSENT_PREFIX)
            consents.append({"channel": channel, "granted": granted, "source": source})
    return consents
