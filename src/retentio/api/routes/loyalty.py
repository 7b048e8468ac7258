"""``/v1/customers/{customer_id}/loyalty``: a customer's points balance and ledger entries, the tier
held and what the next one needs, and manual adjustments (admin scope) with who and why. Without
``programme``, the first programme of the loyalty settings file."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from retentio.api.deps import ClockDep, EngineDep, ReaderDep, SettingsDep
from retentio.api.schemas import NO_NUL, CustomerId
from retentio.config import Settings
from retentio.loyalty import (
    LedgerError,
    LoyaltyConfig,
    MemberStanding,
    UnknownCustomer,
    do_adjust,
    get_balance,
    list_entries,
    load_loyalty_config,
    member_standing,
)

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


class NextTierPublic(BaseModel):
    tier: str
    measure: str  # "spend" (currency units) or "orders"
    needed: Decimal  # still missing
    by: datetime | None  # the figure holds for purchases before this instant


class TierPublic(BaseModel):
    id: str
    name: str
    since: datetime
    multiplier: Decimal
    privileges: list[str]
    next_review: datetime | None
    grace_until: datetime | None  # short at the last review: kept until then unless a purchase renews it
    next: NextTierPublic | None  # None at the top tier


class LoyaltyPublic(BaseModel):
    programme: str
    available: int
    pending: int
    debt: int
    enrolled_at: datetime | None = None  # None: not a member of the programme (yet)
    tier: TierPublic | None = None
    entries: list[LoyaltyEntryPublic]


class AdjustmentCreate(BaseModel):
    """A manual change: positive points are added (available at once), negative ones taken (never
    more than the customer has). ``source`` makes a resent request apply once."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    points: Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
    reason: Text
    source: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    actor: Annotated[str, Field(min_length=1, max_length=128, pattern=NO_NUL)] = "api"


@lru_cache(maxsize=4)
def _programmes(path: FilePath | None) -> LoyaltyConfig:
    return load_loyalty_config(path)


def _programme_id(settings: Settings, programme: str | None) -> str:
    return programme or next(iter(_programmes(settings.loyalty_config).programmes))


def get_loyalty(
    customer_id: CustomerId,
    reader: ReaderDep,
    settings: SettingsDep,
    clock: ClockDep,
    programme: Programme | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> LoyaltyPublic:
    """The balance now (available, pending until return windows close, owed after returns: points
    whose window closed or that expired since the last change already count as such), the tier
    with what the next one needs, and the newest entries."""
    config = _programmes(settings.loyalty_config)
    programme_id = _programme_id(settings, programme)
    try:
        with reader.connect() as connection:
            balance = get_balance(connection, programme_id, customer_id, clock.now())
            entries = list_entries(connection, programme_id, customer_id, limit)
            standing = None
            if programme_id in config.programmes:
                standing = member_standing(
                    connection, config.programme(programme_id), customer_id, clock.now()
                )
    except UnknownCustomer as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except LedgerError as error:  # a blank customer id, a programme name too long
        detail = [{"field": error.field, "message": error.message}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None
    return LoyaltyPublic(
        programme=programme_id,
        available=balance.available,
        pending=balance.pending,
        debt=balance.debt,
        enrolled_at=standing.enrolled_at if standing else None,
        tier=_tier(standing),
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


def _tier(standing: MemberStanding | None) -> TierPublic | None:
    if standing is None or standing.tier is None or standing.tier_since is None:
        return None
    following = standing.next_tier
    return TierPublic(
        id=standing.tier.id,
        name=standing.tier.title,
        since=standing.tier_since,
        multiplier=standing.tier.multiplier,
        privileges=list(standing.tier.privileges),
        next_review=standing.next_review,
        grace_until=standing.grace_until,
        next=None
        if following is None
        else NextTierPublic(
            tier=following.level, measure=following.measure, needed=following.needed, by=following.by
        ),
    )


def post_adjustment(
    customer_id: CustomerId,
    data: AdjustmentCreate,
    engine: EngineDep,
    clock: ClockDep,
    reader: ReaderDep,
    settings: SettingsDep,
    programme: Programme | None = None,
) -> LoyaltyPublic:
    """Add or take points by hand; the answer is the balance after it."""
    programme = _programme_id(settings, programme)
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
    return get_loyalty(customer_id, reader, settings, clock, programme, 50)
