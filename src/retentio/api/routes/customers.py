"""``/v1/customers/{customer_id}``: create or update a customer; read it with its profile."""

from __future__ import annotations

from datetime import timedelta

from fastapi import HTTPException, status

from retentio.api.deps import ClockDep, EngineDep, ReaderDep, SettingsDep
from retentio.api.schemas import ConsentChangePublic, CustomerId, CustomerView
from retentio.customers import (
    CustomerRecord,
    CustomerUpsert,
    InvalidCustomerChange,
    consent_history,
    do_upsert_customer,
    get_customer,
    get_profile,
)


def put_customer(
    customer_id: CustomerId, data: CustomerUpsert, engine: EngineDep, clock: ClockDep, settings: SettingsDep
) -> CustomerRecord:
    """Create the customer, or change the fields given. `attributes` merge key by key (a key sent as
    null is removed); a consent is added to the history only when it changes the customer's consent."""
    tolerance = timedelta(seconds=settings.future_tolerance_seconds)
    try:
        with engine.begin() as connection:
            return do_upsert_customer(connection, customer_id, data, clock.now(), tolerance)
    except InvalidCustomerChange as error:
        detail = [{"field": error.field, "message": error.message}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None


def get_customer_view(
    customer_id: CustomerId, reader: ReaderDep, clock: ClockDep, settings: SettingsDep
) -> CustomerView:
    """The record, its aggregates and its consent history. A merged-away customer shows
    ``merged_into``: the survivor holds its history."""
    with reader.connect() as connection:
        record = get_customer(connection, customer_id, clock.now())
        profile = get_profile(connection, customer_id, settings.default_currency, clock.now())
        history = consent_history(connection, customer_id)
    if record is None or profile is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer {customer_id!r}")
    consents = [ConsentChangePublic.model_validate(change) for change in history]
    return CustomerView(customer=record, profile=profile.as_json(), consent_history=consents)
