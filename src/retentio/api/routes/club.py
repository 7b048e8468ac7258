"""``/v1/customers/{customer_id}/club``: whether the customer is a club member now, until when, and
the terms that made it (bought, earned or granted; ended ones too)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import HTTPException, Query, status
from pydantic import BaseModel

from retentio.api.deps import ClockDep, LoyaltyDep, ReaderDep
from retentio.api.schemas import NO_NUL, CustomerId
from retentio.loyalty import ClubError, LoyaltyConfig, Programme, get_club

ProgrammeName = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=NO_NUL,
        description="The programme (default: the only one with a club).",
    ),
]


class TermPublic(BaseModel):
    source: str
    via: str
    bought_at: datetime
    months: int
    ended: bool


class ClubPublic(BaseModel):
    programme: str
    customer_id: str
    member: bool
    status: str | None  # active, lapsed, ended; null: never a member
    via: str | None
    started_at: datetime | None
    ends_at: datetime | None
    lapses_at: datetime | None
    terms: list[TermPublic]


def club_programme(config: LoyaltyConfig, name: str | None) -> Programme:
    if name is not None:
        found = config.programmes.get(name)
        if found is None or found.membership is None:
            raise _unprocessable("programme", f"no programme {name!r} with a club")
        return found
    with_club = [programme for programme in config.programmes.values() if programme.membership is not None]
    if len(with_club) != 1:
        names = ", ".join(sorted(programme.id for programme in with_club)) or "none"
        raise _unprocessable("programme", f"name the programme (with a club: {names})")
    return with_club[0]


def get_customer_club(
    customer_id: CustomerId,
    reader: ReaderDep,
    clock: ClockDep,
    config: LoyaltyDep,
    programme: ProgrammeName = None,
) -> ClubPublic:
    chosen = club_programme(config, programme)
    try:
        with reader.connect() as connection:
            view = get_club(connection, chosen.id, customer_id, clock.now())
    except ClubError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    membership = view.membership
    return ClubPublic(
        programme=chosen.id,
        customer_id=customer_id,
        member=view.member,
        status=None if membership is None else membership.status,
        via=None if membership is None else membership.via,
        started_at=None if membership is None else membership.started_at,
        ends_at=None if membership is None else membership.ends_at,
        lapses_at=None if membership is None else membership.lapses_at,
        terms=[
            TermPublic(source=t.source, via=t.via, bought_at=t.bought_at, months=t.months, ended=t.ended)
            for t in view.terms
        ],
    )


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": field, "message": message}])
