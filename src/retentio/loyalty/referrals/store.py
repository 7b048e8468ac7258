"""The referrals' named queries: attributions, refusals and fingerprints, read and written in the
caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from retentio.db.batches import chunks, insert_ignoring_duplicates
from retentio.events import Event
from retentio.loyalty.referrals.rules import Refusal
from retentio.loyalty.referrals.tables import (
    FINGERPRINT_LENGTH,
    referral_codes,
    referral_fingerprints,
    referral_refusals,
    referrals,
)
from retentio.orders import orders

# The order properties a shop sends so the rules can tell the same home or card (docs/events.md).
FINGERPRINT_PROPERTIES = {"address": "shipping_address_hash", "payment": "payment_fingerprint"}


@dataclass(frozen=True, slots=True)
class Attribution:
    programme: str
    friend_id: str
    referrer_id: str
    code: str
    event_id: str
    attributed_at: datetime
    status: str
    order_id: str | None
    paid_at: datetime | None
    window_closes_at: datetime | None
    rewarded_at: datetime | None
    referrer_points: int
    friend_points: int


def owners_of(connection: Connection, code: str) -> list[tuple[str, str]]:
    """(programme, customer) of each programme where ``code`` is someone's."""
    query = select(referral_codes.c.programme, referral_codes.c.customer_id).where(
        referral_codes.c.code == code
    )
    return [
        (row.programme, row.customer_id)
        for row in connection.execute(query.order_by(referral_codes.c.programme))
    ]


def attribution(connection: Connection, programme: str, friend_id: str) -> Attribution | None:
    row = connection.execute(
        select(referrals).where(referrals.c.programme == programme, referrals.c.friend_id == friend_id)
    ).first()
    return None if row is None else Attribution(**row._mapping)


def attributions_of_friends(
    connection: Connection, friend_ids: Iterable[str], statuses: Sequence[str]
) -> list[Attribution]:
    found: list[Attribution] = []
    for part in chunks(sorted(set(friend_ids))):
        query = select(referrals).where(referrals.c.friend_id.in_(part), referrals.c.status.in_(statuses))
        found += [Attribution(**row._mapping) for row in connection.execute(query)]
    return sorted(found, key=lambda found_one: (found_one.programme, found_one.friend_id))


def friends_of(connection: Connection, programme: str, referrer_id: str) -> list[Attribution]:
    query = (
        select(referrals)
        .where(referrals.c.programme == programme, referrals.c.referrer_id == referrer_id)
        .order_by(referrals.c.attributed_at, referrals.c.friend_id)
    )
    return [Attribution(**row._mapping) for row in connection.execute(query)]


def due_rewards(connection: Connection, now: datetime) -> list[Attribution]:
    """The referrals whose window has closed, locked (PostgreSQL) in key order until the run commits:
    a return the consumer reads meanwhile waits, then finds them rewarded."""
    query = (
        select(referrals)
        .where(referrals.c.status == "paid", referrals.c.window_closes_at <= now)
        .order_by(referrals.c.programme, referrals.c.friend_id)
        .with_for_update()
    )
    return [Attribution(**row._mapping) for row in connection.execute(query)]


def add_attribution(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(referrals).values(values))


def change_attribution(connection: Connection, found: Attribution, **values: Any) -> bool:
    """Move ``found`` on from the status it was read in; False when another transaction moved it
    first (the daily reward and the consumer may meet on one friend), and nothing is changed."""
    result = connection.execute(
        update(referrals)
        .where(
            referrals.c.programme == found.programme,
            referrals.c.friend_id == found.friend_id,
            referrals.c.status == found.status,
        )
        .values(**values)
    )
    return bool(result.rowcount)


def friends_within(connection: Connection, programme: str, referrer_id: str, since: datetime) -> int:
    """Friends attributed to the referrer after ``since`` (backfilled ones do not count)."""
    query = select(func.count()).where(
        referrals.c.programme == programme,
        referrals.c.referrer_id == referrer_id,
        referrals.c.attributed_at > since,
        referrals.c.status != "history",
    )
    return int(connection.execute(query).scalar_one())


def ordered_before(connection: Connection, customer_id: str, at: datetime, but: str | None) -> bool:
    """Whether the customer placed an order (not cancelled) before ``at``, other than ``but``."""
    conditions = [
        orders.c.customer_id == customer_id,
        orders.c.placed_at < at,
        orders.c.cancelled_at.is_(None),
    ]
    if but is not None:
        conditions.append(orders.c.order_id != but)
    return connection.execute(select(orders.c.order_id).where(and_(*conditions)).limit(1)).first() is not None


def shared_fingerprints(connection: Connection, friend_id: str, referrer_id: str) -> frozenset[str]:
    """The kinds of fingerprint seen on orders of both customers."""
    mine = referral_fingerprints.alias("mine")
    theirs = referral_fingerprints.alias("theirs")
    query = (
        select(mine.c.kind)
        .distinct()
        .join(theirs, and_(theirs.c.kind == mine.c.kind, theirs.c.value == mine.c.value))
        .where(mine.c.customer_id == friend_id, theirs.c.customer_id == referrer_id)
    )
    return frozenset(connection.execute(query).scalars())


def record_fingerprints(connection: Connection, fresh: Sequence[Event]) -> None:
    """Keep the address and payment fingerprints of the orders in ``fresh``, backfilled ones too."""
    rows: dict[tuple[str, str, str], datetime] = {}
    for event in fresh:
        if event.type != "order_placed" or event.customer_id is None:
            continue
        for kind, name in FINGERPRINT_PROPERTIES.items():
            value = event.properties.get(name)
            if isinstance(value, str) and 0 < len(value) <= FINGERPRINT_LENGTH:
                key = (kind, value, event.customer_id)
                rows[key] = min(rows.get(key, event.occurred_at), event.occurred_at)
    ordered = sorted(rows.items())
    for part in chunks(ordered):
        values = [
            {"kind": kind, "value": value, "customer_id": customer_id, "first_seen_at": at}
            for (kind, value, customer_id), at in part
        ]
        connection.execute(insert_ignoring_duplicates(connection, referral_fingerprints), values)


def record_refusal(
    connection: Connection,
    programme: str,
    source: str,
    refusal: Refusal,
    at: datetime,
    *,
    code: str | None = None,
    referrer_id: str | None = None,
    friend_id: str | None = None,
    order_id: str | None = None,
) -> None:
    """Once per (programme, source): an event read again after a crash adds nothing."""
    row = {
        "programme": programme,
        "source": source[:255],
        "reason": refusal.reason.value,
        "detail": refusal.detail[:500],
        "code": None if code is None else code[:44],
        "referrer_id": referrer_id,
        "friend_id": friend_id,
        "order_id": order_id,
        "refused_at": at,
    }
    connection.execute(insert_ignoring_duplicates(connection, referral_refusals).values(row))


def since(at: datetime, days: int) -> datetime:
    return at - timedelta(days=days)
