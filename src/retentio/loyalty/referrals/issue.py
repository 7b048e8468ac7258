"""A customer's personal code: made on first asking, the same one every time after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.customers import load_contacts
from retentio.db.batches import insert_ignoring_duplicates
from retentio.loyalty.programmes.settings import Programme
from retentio.loyalty.referrals.codes import link_for, new_code, shown
from retentio.loyalty.referrals.errors import ReferralError, ReferralsOff
from retentio.loyalty.referrals.tables import referral_codes

# Ten symbols give 2^50 codes: a clash is rare, and a few tries make it vanish.
_TRIES = 5


@dataclass(frozen=True, slots=True)
class ReferralCode:
    programme: str
    customer_id: str
    code: str  # as shown: ABCD-EFGH-JK
    link: str


def do_issue_referral_code(
    connection: Connection, programme: Programme, customer_id: str, now: datetime
) -> ReferralCode:
    """The customer's code in ``programme``, made now if they have none."""
    if programme.referral is None:
        raise ReferralsOff(programme.id)
    known = referral_code_of(connection, programme, customer_id)
    if known is not None:
        return known
    contacts = load_contacts(connection, [customer_id]).get(customer_id)
    if contacts is None:
        raise ReferralError("customer_id", f"no customer {customer_id!r}")
    if contacts.merged_into is not None:
        raise ReferralError("customer_id", f"{customer_id!r} was merged into {contacts.merged_into!r}")
    for _ in range(_TRIES):
        row = {"programme": programme.id, "customer_id": customer_id, "code": new_code(), "created_at": now}
        connection.execute(insert_ignoring_duplicates(connection, referral_codes).values(row))
        made = referral_code_of(connection, programme, customer_id)
        if made is not None:
            return made
    raise ReferralError("code", f"no free code after {_TRIES} tries")  # pragma: no cover


def referral_code_of(connection: Connection, programme: Programme, customer_id: str) -> ReferralCode | None:
    assert programme.referral is not None
    code = connection.execute(
        select(referral_codes.c.code).where(
            referral_codes.c.programme == programme.id, referral_codes.c.customer_id == customer_id
        )
    ).scalar_one_or_none()
    if code is None:
        return None
    return ReferralCode(programme.id, customer_id, shown(code), link_for(programme.referral.link, code))
