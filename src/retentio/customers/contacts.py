"""How to reach customers and in which words: their contacts, names, locale and time zone, read for
many customers at once (messaging decides and renders a batch of sends with them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from retentio.customers.tables import customers
from retentio.db.batches import chunks


@dataclass(frozen=True, slots=True)
class Contacts:
    customer_id: str
    email: str | None
    phone: str | None
    telegram_id: str | None
    viber_id: str | None
    push_tokens: tuple[str, ...]
    first_name: str | None
    last_name: str | None
    birthday: date | None
    timezone: str | None
    locale: str | None
    attributes: Mapping[str, Any]
    merged_into: str | None


def load_contacts(connection: Connection, customer_ids: Iterable[str]) -> dict[str, Contacts]:
    """The customers found among ``customer_ids`` (a merged one names where it went)."""
    found: dict[str, Contacts] = {}
    columns = [customers.c[name] for name in Contacts.__slots__]
    for part in chunks(sorted(set(customer_ids))):
        for row in connection.execute(select(*columns).where(customers.c.customer_id.in_(part))):
            values = row._asdict()
            values["push_tokens"] = tuple(values["push_tokens"] or ())
            values["attributes"] = values["attributes"] or {}
            found[row.customer_id] = Contacts(**values)
    return found
