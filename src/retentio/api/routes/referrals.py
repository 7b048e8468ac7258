"""``/v1/customers/{customer_id}/referral``: a customer's referral code and link (issued on POST, the
same one every time), the friends they brought and the points earned; ``/v1/referral-refusals``:
what the fraud rules refused and why (admin scope)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import HTTPException, Query, status
from pydantic import BaseModel

from retentio.api.deps import ClockDep, EngineDep, LoyaltyDep, ReaderDep
from retentio.api.schemas import NO_NUL, CustomerId
from retentio.loyalty import (
    LoyaltyConfig,
    Programme,
    ReferralError,
    ReferralFriend,
    ReferralRefusalReason,
    do_issue_referral_code,
    get_referral,
    list_referral_refusals,
)

ProgrammeName = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=NO_NUL,
        description="The programme (default: the only one with referrals).",
    ),
]


class FriendPublic(BaseModel):
    friend_id: str
    referrer_id: str
    status: str
    attributed_at: datetime
    order_id: str | None
    window_closes_at: datetime | None
    rewarded_at: datetime | None
    referrer_points: int
    friend_points: int


class ReferralPublic(BaseModel):
    programme: str
    customer_id: str
    code: str | None
    link: str | None
    friends: list[FriendPublic]
    points_earned: int
    referred_by: FriendPublic | None


class RefusalPublic(BaseModel):
    id: int
    programme: str
    source: str
    reason: str
    detail: str
    code: str | None
    referrer_id: str | None
    friend_id: str | None
    order_id: str | None
    refused_at: datetime


def referral_programme(config: LoyaltyConfig, name: str | None) -> Programme:
    """The programme named, or the only one with referral settings; 422 naming ``programme`` else."""
    if name is not None:
        found = config.programmes.get(name)
        if found is None or found.referral is None:
            raise _unprocessable("programme", f"no programme {name!r} with referrals")
        return found
    with_referrals = [programme for programme in config.programmes.values() if programme.referral is not None]
    if len(with_referrals) != 1:
        names = ", ".join(sorted(programme.id for programme in with_referrals)) or "none"
        raise _unprocessable("programme", f"name the programme (with referrals: {names})")
    return with_referrals[0]


def get_customer_referral(
    customer_id: CustomerId, reader: ReaderDep, config: LoyaltyDep, programme: ProgrammeName = None
) -> ReferralPublic:
    """The code and link (null until issued by POST), the friends and what they earned."""
    chosen = referral_programme(config, programme)
    try:
        with reader.connect() as connection:
            view = get_referral(connection, chosen, customer_id)
    except ReferralError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return ReferralPublic(
        programme=view.programme,
        customer_id=customer_id,
        code=None if view.code is None else view.code.code,
        link=None if view.code is None else view.code.link,
        friends=[_friend(friend) for friend in view.friends],
        points_earned=view.points_earned,
        referred_by=None if view.referred_by is None else _friend(view.referred_by),
    )


def post_customer_referral(
    customer_id: CustomerId,
    engine: EngineDep,
    reader: ReaderDep,
    clock: ClockDep,
    config: LoyaltyDep,
    programme: ProgrammeName = None,
) -> ReferralPublic:
    """Issue the customer's code (once: a repeated call answers the same code)."""
    chosen = referral_programme(config, programme)
    try:
        with engine.begin() as connection:
            do_issue_referral_code(connection, chosen, customer_id, clock.now())
    except ReferralError as error:
        if error.field == "customer_id":
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
        raise _unprocessable(error.field, error.message) from None
    return get_customer_referral(customer_id, reader, config, chosen.id)


def get_referral_refusals(
    reader: ReaderDep,
    programme: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    reason: ReferralRefusalReason | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[RefusalPublic]:
    """Refusals newest first; ``programme=`` (empty) lists those of codes no programme knows."""
    with reader.connect() as connection:
        found = list_referral_refusals(connection, programme, None if reason is None else reason.value, limit)
    return [RefusalPublic(**_fields(record, RefusalPublic)) for record in found]


def _friend(friend: ReferralFriend) -> FriendPublic:
    return FriendPublic(**_fields(friend, FriendPublic))


def _fields(record: object, schema: type[BaseModel]) -> dict[str, Any]:
    """The schema's fields read from the facade's frozen dataclass of the same names."""
    return {name: getattr(record, name) for name in schema.model_fields}


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": field, "message": message}])
