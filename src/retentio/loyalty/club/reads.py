"""What offers, segments and a customer's page read of the club. Reading changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.customers import load_contacts
from retentio.db.batches import chunks
from retentio.loyalty.club.service import ClubError, Membership, get_membership, terms_of
from retentio.loyalty.club.tables import club_memberships
from retentio.loyalty.club.terms import Term


@dataclass(frozen=True, slots=True)
class ClubView:
    programme: str
    customer_id: str
    member: bool
    membership: Membership | None
    terms: tuple[Term, ...]


def is_club_member(connection: Connection, programme: str, customer_id: str, now: datetime) -> bool:
    """The flag exclusive offers and prices read: a member until the grace period after the end."""
    membership = get_membership(connection, programme, customer_id)
    return membership is not None and membership.is_member(now)


def club_members(
    connection: Connection, programme: str, customer_ids: Iterable[str], now: datetime
) -> frozenset[str]:
    """The members among ``customer_ids`` (the ``club`` fact for many customers at once)."""
    m = club_memberships.c
    found: set[str] = set()
    for part in chunks(sorted(set(customer_ids))):
        query = select(m.customer_id).where(
            m.programme == programme, m.customer_id.in_(part), m.status == "active", m.lapses_at > now
        )
        found.update(connection.execute(query).scalars())
    return frozenset(found)


def get_club(connection: Connection, programme: str, customer_id: str, now: datetime) -> ClubView:
    if customer_id not in load_contacts(connection, [customer_id]):
        raise ClubError("customer_id", f"no customer {customer_id!r}")
    membership = get_membership(connection, programme, customer_id)
    return ClubView(
        programme,
        customer_id,
        membership is not None and membership.is_member(now),
        membership,
        tuple(terms_of(connection, programme, customer_id)),
    )
