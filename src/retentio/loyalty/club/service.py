"""The club's writes, each in the caller's transaction: add a term (``do_join_club``: a club order,
an earned membership, or the tiers' grant — the seam they call), end the term a cancelled or returned
order bought (``do_end_club_term``), and recompute the membership from the live terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, String, bindparam, insert, select, update

from retentio.db.batches import upsert
from retentio.loyalty.club.announce import CLUB_JOINED, CLUB_LAPSED, announce
from retentio.loyalty.club.tables import club_memberships, club_terms
from retentio.loyalty.club.terms import Standing, Term, standing
from retentio.loyalty.programmes.settings import Programme

VIAS = ("paid", "earned", "tier")


class ClubError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Membership:
    programme: str
    customer_id: str
    status: str  # active, lapsed, ended
    via: str
    started_at: datetime
    ends_at: datetime
    lapses_at: datetime

    def is_member(self, now: datetime) -> bool:
        return self.status == "active" and now < self.lapses_at


def do_join_club(
    connection: Connection,
    programme: Programme,
    customer_id: str,
    via: str,
    source: str,
    bought_at: datetime,
    now: datetime,
    *,
    months: int | None = None,
    historical: bool = False,
) -> Membership | None:
    """Add the term ``source`` names (once: the same source again changes nothing) and announce
    ``club_joined`` (``renewal`` when the customer was a member already), except for history."""
    settings = programme.membership
    if settings is None:
        raise ClubError("programme", f"programme {programme.id!r} has no [membership] settings")
    if via not in VIAS:
        raise ClubError("via", f"must be one of {', '.join(VIAS)}, not {via!r}")
    if not source or len(source) > 255:
        raise ClubError("source", "a source has 1 to 255 characters")
    term_months = settings.term_months if months is None else months
    if not 1 <= term_months <= 1200:
        raise ClubError("months", f"must be 1 to 1200, not {term_months}")
    before = get_membership(connection, programme.id, customer_id)
    known = connection.execute(
        select(club_terms.c.source).where(
            club_terms.c.programme == programme.id, club_terms.c.source == source
        )
    ).first()
    if known is not None:
        return before
    connection.execute(
        insert(club_terms).values(
            programme=programme.id,
            source=source,
            customer_id=customer_id,
            via=via,
            bought_at=bought_at,
            months=term_months,
        )
    )
    after = _recompute(connection, programme, customer_id, now)
    if after is not None and not historical:
        renewal = before is not None and before.is_member(bought_at)
        properties = {
            "programme": programme.id,
            "via": via,
            "renewal": renewal,
            "source": source,
            "ends_at": after.ends_at.isoformat(),
        }
        announce(connection, CLUB_JOINED, f"{programme.id}:{source}", customer_id, properties, now)
    return after


def do_end_club_term(
    connection: Connection,
    programme: Programme,
    source: str,
    reason: str,
    now: datetime,
    *,
    historical: bool = False,
) -> Membership | None:
    """End the term ``source`` bought; when no live term is left the membership ends now, announced
    as ``club_lapsed`` with the reason. Ending an ended (or unknown) term changes nothing."""
    term = connection.execute(
        select(club_terms.c.customer_id, club_terms.c.ended).where(
            club_terms.c.programme == programme.id, club_terms.c.source == source
        )
    ).first()
    if term is None or term.ended:
        return None if term is None else get_membership(connection, programme.id, term.customer_id)
    connection.execute(
        update(club_terms)
        .where(club_terms.c.programme == programme.id, club_terms.c.source == source)
        .values(ended=True, ended_reason=reason)
    )
    before = get_membership(connection, programme.id, term.customer_id)
    after = _recompute(connection, programme, term.customer_id, now)
    ended_now = (
        before is not None and before.status == "active" and (after is None or after.status == "ended")
    )
    if ended_now and not historical:
        properties = {"programme": programme.id, "reason": reason, "source": source}
        key = f"{programme.id}:{term.customer_id}:{source}"
        announce(connection, CLUB_LAPSED, key, term.customer_id, properties, now)
    return after


# Built once: every checkout reads a membership (building the statement cost more than running it).
_MEMBERSHIP = select(
    club_memberships.c.programme,
    club_memberships.c.customer_id,
    club_memberships.c.status,
    club_memberships.c.via,
    club_memberships.c.started_at,
    club_memberships.c.ends_at,
    club_memberships.c.lapses_at,
).where(
    club_memberships.c.programme == bindparam("programme", type_=String),
    club_memberships.c.customer_id == bindparam("customer_id", type_=String),
)


def get_membership(connection: Connection, programme_id: str, customer_id: str) -> Membership | None:
    row = connection.execute(_MEMBERSHIP, {"programme": programme_id, "customer_id": customer_id}).first()
    return None if row is None else Membership(**row._mapping)


def terms_of(connection: Connection, programme_id: str, customer_id: str) -> list[Term]:
    query = (
        select(
            club_terms.c.source,
            club_terms.c.via,
            club_terms.c.bought_at,
            club_terms.c.months,
            club_terms.c.ended,
        )
        .where(club_terms.c.programme == programme_id, club_terms.c.customer_id == customer_id)
        .order_by(club_terms.c.bought_at, club_terms.c.source)
    )
    return [Term(**row._mapping) for row in connection.execute(query)]


def _recompute(
    connection: Connection, programme: Programme, customer_id: str, now: datetime
) -> Membership | None:
    assert programme.membership is not None
    current = standing(terms_of(connection, programme.id, customer_id), programme.membership.grace_days)
    before = get_membership(connection, programme.id, customer_id)
    if current is None:
        if before is None:
            return None
        # Nothing live is left: the membership ends now (the grace period is for renewing, not this).
        current = Standing(
            before.via, before.started_at, min(before.ends_at, now), min(before.lapses_at, now)
        )
        status = "ended"
    else:
        status = "active" if now < current.lapses_at else "lapsed"
    row = {
        "programme": programme.id,
        "customer_id": customer_id,
        "status": status,
        "via": current.via,
        "started_at": current.started_at,
        "ends_at": current.ends_at,
        "lapses_at": current.lapses_at,
        "updated_at": now,
    }
    upsert(connection, club_memberships, [row])
    return Membership(
        programme.id, customer_id, status, current.via, current.started_at, current.ends_at, current.lapses_at
    )
