"""``/v1/customers/{customer_id}/loyalty``: a customer's points balance and ledger entries, and
manual adjustments (admin scope) with who and why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from retentio.api.deps import ClockDep, EngineDep, ReaderDep
from retentio.api.schemas import NO_NUL
from retentio.loyalty import LedgerError, UnknownCustomer, do_adjust, get_balance, list_entries

CustomerId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=NO_NUL, description="Your id for the customer.")
]
Programme = Annotated[
    str, Query(min_length=1, max_length=64, pattern=NO_NUL, description="The points programme.")
]
Text = Annotated[str, Field(min_length=1, max_length=255, pattern=NO_NUL)]


class LoyaltyEntryPublic(BaseModel):
    id: int
    kind: str
    source: str
    available: int
    pending: int
    debt: int
    shortfall: int
    occurred_at: datetime
    actor: str
    reason: str


class LoyaltyPublic(BaseModel):
    programme: str
    available: int
    pending: int
    debt: int
    entries: list[LoyaltyEntryPublic]


class AdjustmentCreate(BaseModel):
    """A manual change: positive points are added (available at once), negative ones taken (never
    more than the customer has). ``source`` makes a resent request apply once."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    points: Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
    reason: Text
    source: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    actor: Annotated[str, Field(min_length=1, max_length=128, pattern=NO_NUL)] = "api"


def get_loyalty(
    customer_id: CustomerId,
    reader: ReaderDep,
    clock: ClockDep,
    programme: Programme = "points",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> LoyaltyPublic:
    """The balance now (available, pending until return windows close, owed after returns: points
    whose window closed or that expired since the last change already count as such) and the
    newest entries."""
    try:
        with reader.connect() as connection:
            balance = get_balance(connection, programme, customer_id, clock.now())
            entries = list_entries(connection, programme, customer_id, limit)
    except UnknownCustomer as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return LoyaltyPublic(
        programme=programme,
        available=balance.available,
        pending=balance.pending,
        debt=balance.debt,
        entries=[
            LoyaltyEntryPublic(
                id=entry.id,
                kind=entry.kind.value,
                source=entry.source,
                available=entry.available,
                pending=entry.pending,
                debt=entry.debt,
                shortfall=entry.shortfall,
                occurred_at=entry.occurred_at,
                actor=entry.actor,
                reason=entry.reason,
            )
            for entry in entries
        ],
    )


def post_adjustment(
    customer_id: CustomerId,
    data: AdjustmentCreate,
    engine: EngineDep,
    clock: ClockDep,
    reader: ReaderDep,
    programme: Programme = "points",
) -> LoyaltyPublic:
    """Add or take points by hand; the answer is the balance after it."""
    try:
        with engine.begin() as connection:
            do_adjust(
                connection,
                programme,
                customer_id,
                data.points,
                f"adjustment:{data.source}",
                clock.now(),
                actor=data.actor,
                reason=data.reason,
            )
    except UnknownCustomer as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except LedgerError as error:
        detail = [{"field": error.field, "message": error.message}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None
    return get_loyalty(customer_id, reader, clock, programme, 50)
