"""The write and read paths for customer records (one transaction each, run by the caller)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from retentio.customers.consent import current_consents, record_consent_changes
from retentio.customers.models import CustomerRecord, CustomerUpsert
from retentio.customers.profile import Profile, finish
from retentio.customers.store import ensure_customers, load_profiles
from retentio.customers.tables import customers


class CustomerNotFound(LookupError):
    pass


def do_upsert_customer(
    connection: Connection, customer_id: str, data: CustomerUpsert, now: datetime
) -> CustomerRecord:
    """Create the customer if new; change only the fields given; append consent changes."""
    do_upsert_customers(connection, [(customer_id, data)], now)
    record = get_customer(connection, customer_id)
    assert record is not None
    return record


def do_upsert_customers(
    connection: Connection, items: Sequence[tuple[str, CustomerUpsert]], now: datetime
) -> int:
    """The bulk form (importers, the demo): customers that set the same fields share one statement."""
    ensure_customers(connection, [customer_id for customer_id, _ in items], now)
    by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    consents: list[dict[str, Any]] = []
    for customer_id, data in items:
        fields = tuple(sorted(name for name in data.model_fields_set if name != "consents"))
        if fields:
            values = {f"new_{name}": getattr(data, name) for name in fields}
            by_fields[fields].append({"target": customer_id, **values})
        consents.extend(_consent_rows(customer_id, data, now))
    for fields, rows in by_fields.items():
        assignments: dict[str, Any] = {name: bindparam(f"new_{name}") for name in fields}
        connection.execute(
            update(customers)
            .where(customers.c.customer_id == bindparam("target"))
            .values(**assignments, updated_at=now),
            rows,
        )
    record_consent_changes(connection, consents)
    return len(items)


def _consent_rows(customer_id: str, data: CustomerUpsert, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "customer_id": customer_id,
            "channel": consent.channel,
            "granted": consent.granted,
            "source": consent.source,
            "changed_at": consent.changed_at or now,
            "recorded_at": now,
        }
        for consent in data.consents
    ]


def get_customer(connection: Connection, customer_id: str) -> CustomerRecord | None:
    row = connection.execute(select(customers).where(customers.c.customer_id == customer_id)).first()
    if row is None:
        return None
    consents = current_consents(connection, [customer_id]).get(customer_id, {})
    return CustomerRecord(**row._mapping, consents=consents)


def get_profile(
    connection: Connection, customer_id: str, default_currency: str, now: datetime
) -> Profile | None:
    """The aggregates of a customer; ``None`` for an unknown customer."""
    exists = connection.execute(
        select(customers.c.customer_id).where(customers.c.customer_id == customer_id)
    ).first()
    if exists is None:
        return None
    drafts = load_profiles(connection, [customer_id], now, lock=False)
    return finish(drafts[customer_id], default_currency)
