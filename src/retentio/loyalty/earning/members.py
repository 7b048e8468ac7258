"""Members: who is enrolled in a programme, since when, and the tier stored for each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, bindparam, insert, select, update

from retentio.loyalty.earning.tables import loyalty_members
from retentio.loyalty.tiers.evaluation import TierEvaluation, TierStatus

CHUNK = 500


@dataclass(frozen=True, slots=True)
class Member:
    programme: str
    customer_id: str
    enrolled_at: datetime
    tier: TierStatus | None
    next_review: datetime | None = None
    grace_until: datetime | None = None


# Built once: the checkout reads one member per call, and building the statement cost more than
# running it.
_MEMBERS = select(loyalty_members).where(
    loyalty_members.c.programme == bindparam("programme", type_=String),
    loyalty_members.c.customer_id.in_(bindparam("customer_ids", expanding=True, type_=String)),
)


def load_members(connection: Connection, programme: str, customer_ids: Iterable[str]) -> dict[str, Member]:
    wanted = sorted(set(customer_ids))
    members: dict[str, Member] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = connection.execute(
            _MEMBERS, {"programme": programme, "customer_ids": wanted[start : start + CHUNK]}
        )
        for row in rows:
            members[row.customer_id] = _member(row)
    return members


def add_members(connection: Connection, members: Sequence[Member], now: datetime) -> None:
    if members:
        connection.execute(insert(loyalty_members), [_values(member, now) for member in members])


def save_tier(connection: Connection, member: Member, evaluation: TierEvaluation, now: datetime) -> Member:
    saved = Member(
        member.programme,
        member.customer_id,
        member.enrolled_at,
        evaluation.status,
        evaluation.next_review,
        evaluation.grace_until,
    )
    values = _values(saved, now)
    del values["programme"], values["customer_id"], values["enrolled_at"]
    connection.execute(
        update(loyalty_members)
        .where(
            loyalty_members.c.programme == member.programme,
            loyalty_members.c.customer_id == member.customer_id,
        )
        .values(**values)
    )
    return saved


def _values(member: Member, now: datetime) -> dict[str, object]:
    tier = member.tier
    return {
        "programme": member.programme,
        "customer_id": member.customer_id,
        "enrolled_at": member.enrolled_at,
        "tier": tier.level if tier else None,
        "tier_since": tier.since if tier else None,
        "tier_anchor": tier.anchor if tier else None,
        "tier_confirmed_at": tier.confirmed_at if tier else None,
        "next_review": member.next_review,
        "grace_until": member.grace_until,
        "tier_due_at": member.grace_until or member.next_review,
        "updated_at": now,
    }


def _member(row: Any) -> Member:
    tier = None
    if row.tier is not None:
        tier = TierStatus(
            row.tier,
            row.tier_since,
            row.tier_anchor,
            row.tier_confirmed_at,
        )
    return Member(
        row.programme,
        row.customer_id,
        row.enrolled_at,
        tier,
        row.next_review,
        row.grace_until,
    )


def members_enrolled_before(connection: Connection, programme: str, at: datetime) -> list[str]:
    """Every customer enrolled in ``programme`` before ``at`` (the programme's figures count them)."""
    return list(
        connection.execute(
            select(loyalty_members.c.customer_id).where(
                loyalty_members.c.programme == programme, loyalty_members.c.enrolled_at < at
            )
        ).scalars()
    )
