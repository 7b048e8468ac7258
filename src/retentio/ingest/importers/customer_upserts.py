"""Writing imported customers through ``do_upsert_customers``, one transaction per chunk, changing
only what differs: free attributes are merged into the stored ones, a consent is recorded only when
it differs from the current one, and a row that changes nothing is not written (so importing a file
again changes nothing, not even ``updated_at``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from retentio.customers import (
    AttributesTooLarge,
    CustomerRecord,
    CustomerUpsert,
    InvalidCustomerChange,
    check_attributes_size,
    check_customer_change,
    do_upsert_customers,
    get_customer,
    merge_attributes,
)
from retentio.db.batches import chunks
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.report import ImportReport

CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class CustomerRow:
    line: int
    customer_id: str
    data: CustomerUpsert


@dataclass
class UpsertCounts:
    changed: int = 0
    unchanged: int = 0


def upsert_customers(
    context: ImportContext, rows: Sequence[CustomerRow], report: ImportReport
) -> UpsertCounts:
    counts = UpsertCounts()
    for part in chunks(rows, CHUNK):
        with context.engine.begin() as connection:
            _upsert_chunk(connection, context, part, report, counts)
        context.progress.advance(len(part))
    return counts


def _upsert_chunk(
    connection: Connection,
    context: ImportContext,
    rows: Sequence[CustomerRow],
    report: ImportReport,
    counts: UpsertCounts,
) -> None:
    """Changes are compared with the stored records and written together; a customer met twice in
    the chunk first has its pending change written, so the second row sees it."""
    pending: dict[str, CustomerUpsert] = {}
    for row in rows:
        try:
            check_customer_change(row.data, context.now, context.ingest.future_tolerance)
        except InvalidCustomerChange as error:
            report.reject(row.line, str(error))
            continue
        if row.customer_id in pending:
            do_upsert_customers(connection, list(pending.items()), context.now)
            pending.clear()
        existing = get_customer(connection, row.customer_id, context.now)
        if existing is not None and existing.merged_into is not None:
            report.reject(row.line, f"customer {row.customer_id!r} was merged into {existing.merged_into!r}")
            continue
        change = row.data if existing is None else changes_to(existing, row.data)
        if change is None:
            counts.unchanged += 1
            continue
        if existing is not None and change.attributes:
            try:
                check_attributes_size(merge_attributes(existing.attributes, change.attributes))
            except AttributesTooLarge as error:
                report.reject(row.line, str(error))
                continue
        pending[row.customer_id] = change
        counts.changed += 1
    do_upsert_customers(connection, list(pending.items()), context.now)


def changes_to(existing: CustomerRecord, data: CustomerUpsert) -> CustomerUpsert | None:
    """What ``data`` changes on ``existing``, or ``None`` when it changes nothing."""
    changed: dict[str, Any] = {
        name: getattr(data, name)
        for name in data.model_fields_set - {"attributes", "consents"}
        if getattr(existing, name) != getattr(data, name)
    }
    # The service merges key by key (null removes a key); compare what that merge would store.
    if data.attributes and merge_attributes(existing.attributes, data.attributes) != existing.attributes:
        changed["attributes"] = data.attributes
    consents = [
        consent for consent in data.consents if existing.consents.get(consent.channel) != consent.granted
    ]
    if not changed and not consents:
        return None
    return CustomerUpsert.model_validate({**changed, "consents": consents})
