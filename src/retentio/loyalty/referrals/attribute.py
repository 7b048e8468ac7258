"""Attributing a friend to a referrer's code: a ``referral`` event (the friend is
``referred_customer_id``, else the event's customer) or an ``order_placed`` carrying
``referral_code`` (the friend is the buyer). Every refusal is recorded with its reason; a backfilled
attribution is kept (so the friend is not referred again) but never rewarded."""

from __future__ import annotations

from sqlalchemy import Connection

from retentio.customers import load_contacts
from retentio.events import Event
from retentio.loyalty.coupons.errors import InvalidCode
from retentio.loyalty.programmes.settings import LoyaltyConfig, Referral
from retentio.loyalty.referrals import store
from retentio.loyalty.referrals.codes import read_code
from retentio.loyalty.referrals.rules import Candidate, Contact, Refusal, RefusalReason, why_refused
from retentio.segments import may_incentivize

UNKNOWN_PROGRAMME = ""  # the programme of a refusal whose code names none


def attribute(
    connection: Connection,
    config: LoyaltyConfig,
    event: Event,
    typed_code: str,
    friend_id: str | None,
    order_id: str | None,
) -> None:
    at = event.occurred_at
    try:
        code = read_code(typed_code)
    except InvalidCode as error:
        refusal = Refusal(RefusalReason.INVALID_CODE, error.message)
        store.record_refusal(
            connection,
            UNKNOWN_PROGRAMME,
            event.event_id,
            refusal,
            at,
            code=typed_code,
            friend_id=friend_id,
            order_id=order_id,
        )
        return
    owners = store.owners_of(connection, code)
    if not owners:
        refusal = Refusal(RefusalReason.UNKNOWN_CODE, f"no customer has the code {typed_code!r}")
        store.record_refusal(
            connection,
            UNKNOWN_PROGRAMME,
            event.event_id,
            refusal,
            at,
            code=code,
            friend_id=friend_id,
            order_id=order_id,
        )
        return
    for programme_id, referrer_id in owners:
        settings = config.programmes[programme_id].referral if programme_id in config.programmes else None
        refused = _refusal(connection, settings, programme_id, event, friend_id, referrer_id, order_id)
        if refused is not None:
            store.record_refusal(
                connection,
                programme_id,
                event.event_id,
                refused,
                at,
                code=code,
                referrer_id=referrer_id,
                friend_id=friend_id,
                order_id=order_id,
            )
            continue
        assert friend_id is not None
        if store.attribution(connection, programme_id, friend_id) is not None:
            continue  # the same friend told again with the same code: one attribution
        store.add_attribution(
            connection,
            {
                "programme": programme_id,
                "friend_id": friend_id,
                "referrer_id": referrer_id,
                "code": code,
                "event_id": event.event_id,
                "attributed_at": at,
                # History never triggers: the friend is known as referred, and is never rewarded.
                "status": "history" if event.historical else "waiting",
            },
        )


def _refusal(
    connection: Connection,
    settings: Referral | None,
    programme_id: str,
    event: Event,
    friend_id: str | None,
    referrer_id: str,
    order_id: str | None,
) -> Refusal | None:
    if settings is None:
        return Refusal(RefusalReason.REFERRALS_OFF, f"programme {programme_id!r} has no [referral] settings")
    if friend_id is None:
        return Refusal(
            RefusalReason.NO_FRIEND,
            "a referral names the friend: send it with customer_id or referred_customer_id after sign-up",
        )
    known = store.attribution(connection, programme_id, friend_id)
    if known is not None:
        if known.referrer_id == referrer_id:
            return None
        return Refusal(
            RefusalReason.ALREADY_REFERRED, f"{friend_id!r} was referred by {known.referrer_id!r} already"
        )
    if friend_id == referrer_id:
        return Refusal(RefusalReason.SELF_REFERRAL, "a customer cannot refer themselves")
    if event.historical:
        return None  # what a backfill says happened is recorded as it was
    contacts = load_contacts(connection, [friend_id, referrer_id])
    friend, referrer = contacts.get(friend_id), contacts.get(referrer_id)
    candidate = Candidate(
        friend_id=friend_id,
        referrer_id=referrer_id,
        friend=Contact(friend.email if friend else None, friend.phone if friend else None),
        referrer=Contact(referrer.email if referrer else None, referrer.phone if referrer else None),
        shared_fingerprints=store.shared_fingerprints(connection, friend_id, referrer_id),
        friend_ordered_before=store.ordered_before(connection, friend_id, event.occurred_at, order_id),
        referrer_may_be_incentivized=may_incentivize(connection, referrer_id),
        friends_in_period=store.friends_within(
            connection, programme_id, referrer_id, store.since(event.occurred_at, settings.period_days)
        ),
    )
    return why_refused(candidate, settings)
