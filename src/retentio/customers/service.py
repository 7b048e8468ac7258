"""The write and read paths for customer records (one transaction each, run by the caller)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from retentio.customers.consent import (
    changes_that_differ,
    current_consents,
    load_consent_timelines,
    record_consent_changes,
)
from retentio.customers.devices import NotAPushToken, registration_of, replace_push_tokens
from retentio.customers.models import CustomerRecord, CustomerUpsert
from retentio.customers.profile import Profile, finish
from retentio.customers.store import ensure_customers, load_profiles
from retentio.customers.tables import customers
from retentio.db.batches import chunks
from retentio.db.json_values import MAX_OBJECT_BYTES, encode

# Merged, appended, or kept as devices (``devices``): not assigned.
_NOT_COLUMNS = frozenset({"attributes", "consents", "push_tokens"})
FUTURE_TOLERANCE = timedelta(days=1)  # as for events; the API passes RETENTIO_FUTURE_TOLERANCE_SECONDS


class CustomerNotFound(LookupError):
    pass


class InvalidCustomerChange(ValueError):
    """A change that is well-formed alone but wrong against the clock or the stored record; nothing
    of it is written. ``field`` names the part of the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ConsentInFuture(InvalidCustomerChange):
    """A consent dated further ahead than the clock skew allowed: it would hold off, until that
    date, every change sent before it."""

    def __init__(self, index: int, changed_at: datetime, tolerance: timedelta) -> None:
        ahead = f"more than {tolerance.total_seconds():.0f} s ahead"
        super().__init__(
            f"consents.{index}.changed_at", f"{changed_at.isoformat()} is in the future ({ahead})"
        )


class BirthdayInFuture(InvalidCustomerChange):
    def __init__(self, birthday: date) -> None:
        super().__init__("birthday", f"{birthday.isoformat()} is in the future")


class AttributesTooLarge(InvalidCustomerChange):
    """Attributes merged key by key over many calls, each small, could grow without bound."""

    def __init__(self, size: int) -> None:
        super().__init__(
            "attributes",
            f"the customer's attributes would be {size} bytes as JSON, larger than {MAX_OBJECT_BYTES}"
            " (remove keys by sending them as null)",
        )


def check_attributes_size(attributes: dict[str, Any]) -> None:
    """``AttributesTooLarge`` when a customer's whole attributes exceed ``MAX_OBJECT_BYTES``."""
    size = len(encode(attributes))
    if size > MAX_OBJECT_BYTES:
        raise AttributesTooLarge(size)


def do_upsert_customer(
    connection: Connection,
    customer_id: str,
    data: CustomerUpsert,
    now: datetime,
    future_tolerance: timedelta = FUTURE_TOLERANCE,
) -> CustomerRecord:
    """Create the customer if new; change only the fields given (attributes key by key); record the
    consents that change the customer's consent."""
    do_upsert_customers(connection, [(customer_id, data)], now, future_tolerance)
    record = get_customer(connection, customer_id, now)
    assert record is not None
    return record


def do_upsert_customers(
    connection: Connection,
    items: Sequence[tuple[str, CustomerUpsert]],
    now: datetime,
    future_tolerance: timedelta = FUTURE_TOLERANCE,
) -> int:
    """The bulk form (importers, the demo). Items apply in order: a customer met twice gets both
    changes, the later winning a field both set. ``InvalidCustomerChange`` (nothing written) when a
    consent is dated more than ``future_tolerance`` after ``now`` or attributes grow too large."""
    for _, data in items:
        check_customer_change(data, now, future_tolerance)
    ensure_customers(connection, [customer_id for customer_id, _ in items], now)
    changes = _field_changes(items)
    for customer_id, attributes in _merged_attributes(connection, items).items():
        changes.setdefault(customer_id, {})["attributes"] = attributes
    _write_fields(connection, changes, now)
    tokens = {
        customer_id: data.push_tokens for customer_id, data in items if "push_tokens" in data.model_fields_set
    }
    replace_push_tokens(connection, tokens, now)
    proposed = [row for customer_id, data in items for row in _consent_rows(customer_id, data, now)]
    if proposed:
        timelines = load_consent_timelines(connection, {row["customer_id"] for row in proposed})
        record_consent_changes(connection, changes_that_differ(timelines, proposed))
    return len(items)


def merge_attributes(stored: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``change`` laid over ``stored`` key by key; a key set to ``None`` is removed. A value is
    replaced whole (a nested object is not merged)."""
    merged = dict(stored)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _field_changes(items: Sequence[tuple[str, CustomerUpsert]]) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for customer_id, data in items:
        for name in data.model_fields_set - _NOT_COLUMNS:
            changes.setdefault(customer_id, {})[name] = getattr(data, name)
    return changes


def _merged_attributes(
    connection: Connection, items: Sequence[tuple[str, CustomerUpsert]]
) -> dict[str, dict[str, Any]]:
    """Each customer's attributes after the batch, for those whose attributes it changes."""
    touched = sorted({customer_id for customer_id, data in items if data.attributes})
    stored: dict[str, dict[str, Any]] = {}
    for part in chunks(touched):
        query = select(customers.c.customer_id, customers.c.attributes).where(
            customers.c.customer_id.in_(part)
        )
        stored.update({row.customer_id: row.attributes for row in connection.execute(query)})
    merged = dict(stored)
    for customer_id, data in items:
        if data.attributes:
            merged[customer_id] = merge_attributes(merged[customer_id], data.attributes)
            check_attributes_size(merged[customer_id])
    return {customer_id: value for customer_id, value in merged.items() if value != stored[customer_id]}


def _write_fields(connection: Connection, changes: dict[str, dict[str, Any]], now: datetime) -> None:
    """Customers that change the same fields share one statement."""
    by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for customer_id, values in changes.items():
        fields = tuple(sorted(values))
        by_fields[fields].append({"target": customer_id, **{f"new_{name}": values[name] for name in fields}})
    for fields, rows in by_fields.items():
        assignments: dict[str, Any] = {name: bindparam(f"new_{name}") for name in fields}
        connection.execute(
            update(customers)
            .where(customers.c.customer_id == bindparam("target"))
            .values(**assignments, updated_at=now),
            rows,
        )


def check_customer_change(
    data: CustomerUpsert, now: datetime, future_tolerance: timedelta = FUTURE_TOLERANCE
) -> None:
    """What the input model cannot check alone, needing the clock: a birthday not after today (UTC),
    consents dated at most ``future_tolerance`` ahead. ``InvalidCustomerChange`` naming the field."""
    if data.birthday is not None and data.birthday > now.date():
        raise BirthdayInFuture(data.birthday)
    for index, consent in enumerate(data.consents):
        if consent.changed_at is not None and consent.changed_at > now + future_tolerance:
            raise ConsentInFuture(index, consent.changed_at, future_tolerance)
    for index, token in enumerate(data.push_tokens):
        try:
            registration_of(token)
        except NotAPushToken as error:
            raise InvalidCustomerChange(f"push_tokens[{index}]", str(error)) from None


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


def get_customer(connection: Connection, customer_id: str, now: datetime) -> CustomerRecord | None:
    """The record with the consents in force at ``now``."""
    row = connection.execute(select(customers).where(customers.c.customer_id == customer_id)).first()
    if row is None:
        return None
    consents = current_consents(connection, [customer_id], now).get(customer_id, {})
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
