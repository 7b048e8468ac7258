"""A member's standing for the profile, the API and the CLI: the tier held, since when, the next
review, and what the next tier needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from retentio.loyalty.earning.members import load_members
from retentio.loyalty.earning.tiers import purchases_of
from retentio.loyalty.programmes.settings import Programme
from retentio.loyalty.tiers.definition import Level
from retentio.loyalty.tiers.progress import NextTier, next_tier


@dataclass(frozen=True, slots=True)
class MemberStanding:
    programme: str
    customer_id: str
    enrolled_at: datetime
    tier: Level | None  # None: the programme has no tiers
    tier_since: datetime | None
    next_review: datetime | None
    grace_until: datetime | None  # short at the last review: the tier is kept until then
    next_tier: NextTier | None  # None at the top tier, or without tiers


def member_standing(
    connection: Connection, programme: Programme, customer_id: str, now: datetime
) -> MemberStanding | None:
    """None when the customer is not (yet) a member of ``programme``."""
    member = load_members(connection, programme.id, [customer_id]).get(customer_id)
    if member is None:
        return None
    definition = programme.tiers
    if definition is None or member.tier is None or member.tier.level not in definition.ids:
        # No tiers, or a tier the settings no longer have: the next order or review gives one.
        return MemberStanding(programme.id, customer_id, member.enrolled_at, None, None, None, None, None)
    purchases = purchases_of(connection, programme, [customer_id]).get(customer_id, [])
    return MemberStanding(
        programme.id,
        customer_id,
        member.enrolled_at,
        definition.level(member.tier.level),
        member.tier.since,
        member.next_review,
        member.grace_until,
        next_tier(definition, purchases, member.tier, now),
    )


def member_tiers(
    connection: Connection, programme: Programme, customer_ids: Iterable[str]
) -> dict[str, Level]:
    """The tiers of the members among ``customer_ids``, many at once (messages show them)."""
    definition = programme.tiers
    if definition is None:
        return {}
    members = load_members(connection, programme.id, customer_ids)
    return {
        customer_id: definition.level(member.tier.level)
        for customer_id, member in members.items()
        if member.tier is not None and member.tier.level in definition.ids
    }
