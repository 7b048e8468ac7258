"""What a customer's referral page and an operator's refusal list show. Reading changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.customers import load_contacts
from retentio.loyalty.programmes.settings import Programme
from retentio.loyalty.referrals import store
from retentio.loyalty.referrals.errors import ReferralError, ReferralsOff
from retentio.loyalty.referrals.issue import ReferralCode, referral_code_of
from retentio.loyalty.referrals.tables import referral_refusals

REFUSALS_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Friend:
    friend_id: str
    referrer_id: str
    status: str  # waiting, paid, rewarded, returned, refused, history
    attributed_at: datetime
    order_id: str | None
    window_closes_at: datetime | None
    rewarded_at: datetime | None
    referrer_points: int
    friend_points: int


@dataclass(frozen=True, slots=True)
class ReferralView:
    programme: str
    customer_id: str
    code: ReferralCode | None  # None until one is issued
    friends: tuple[Friend, ...]
    points_earned: int  # as a referrer
    referred_by: Friend | None


@dataclass(frozen=True, slots=True)
class RefusalRecord:
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


def get_referral(connection: Connection, programme: Programme, customer_id: str) -> ReferralView:
    if programme.referral is None:
        raise ReferralsOff(programme.id)
    if customer_id not in load_contacts(connection, [customer_id]):
        raise ReferralError("customer_id", f"no customer {customer_id!r}")
    friends = tuple(_friend(found) for found in store.friends_of(connection, programme.id, customer_id))
    mine = store.attribution(connection, programme.id, customer_id)
    return ReferralView(
        programme=programme.id,
        customer_id=customer_id,
        code=referral_code_of(connection, programme, customer_id),
        friends=friends,
        points_earned=sum(friend.referrer_points for friend in friends),
        referred_by=None if mine is None else _friend(mine),
    )


def list_refusals(
    connection: Connection,
    programme: str | None = None,
    reason: str | None = None,
    limit: int = 100,
) -> list[RefusalRecord]:
    """Newest first; ``programme`` "" lists the refusals of codes no programme knows."""
    if not 1 <= limit <= REFUSALS_LIMIT:
        raise ReferralError("limit", f"must be 1 to {REFUSALS_LIMIT}, not {limit}")
    query = select(referral_refusals)
    if programme is not None:
        query = query.where(referral_refusals.c.programme == programme)
    if reason is not None:
        query = query.where(referral_refusals.c.reason == reason)
    query = query.order_by(referral_refusals.c.refused_at.desc(), referral_refusals.c.id.desc()).limit(limit)
    return [RefusalRecord(**row._mapping) for row in connection.execute(query)]


def _friend(found: store.Attribution) -> Friend:
    return Friend(
        found.friend_id,
        found.referrer_id,
        found.status,
        found.attributed_at,
        found.order_id,
        found.window_closes_at,
        found.rewarded_at,
        found.referrer_points,
        found.friend_points,
    )
