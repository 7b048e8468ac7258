"""Rewarding both sides once the friend's first paid order outlived its return window: the
referrer's points are ``actions.referral``, the friend's ``referral.friend_points``, each credited
by the ledger under a source key of its own (so a rerun credits nothing twice), and each announced as
a ``referral_rewarded`` event with a stable id. The order is read again first: cancelled or returned
means no reward; an address or a means of payment the referrer used means no reward either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from retentio.events import Event, append_new_events
from retentio.loyalty.ledger.service import do_accrue
from retentio.loyalty.programmes.actions import ActionDone, points_for_action
from retentio.loyalty.programmes.expiry import lot_expiry
from retentio.loyalty.programmes.settings import LoyaltyConfig, Programme
from retentio.loyalty.referrals import store
from retentio.loyalty.referrals.follow import ended_unrewarded
from retentio.loyalty.referrals.rules import Refusal, RefusalReason
from retentio.orders import load_orders

REFERRAL_REWARDED = "referral_rewarded"


@dataclass(frozen=True, slots=True)
class RewardRun:
    rewarded: int
    refused: int


def do_reward_referrals(connection: Connection, config: LoyaltyConfig, now: datetime) -> RewardRun:
    """Reward every referral whose window has closed by ``now``, in the caller's transaction."""
    rewarded = refused = 0
    due = store.due_rewards(connection, now)
    states = load_orders(connection, sorted({found.order_id for found in due if found.order_id}))
    for found in due:
        programme = config.programmes.get(found.programme)
        if programme is None or programme.referral is None:
            continue  # the settings lost the programme: it waits until they have it again
        state = states.get(found.order_id or "")
        if state is None or state.status != "paid":
            ended_unrewarded(connection, found, "gone" if state is None else state.status, now)
            refused += 1
            continue
        shared = store.shared_fingerprints(connection, found.friend_id, found.referrer_id)
        if shared:
            _refuse(connection, found, shared, now)
            refused += 1
            continue
        _reward(connection, programme, found, now)
        rewarded += 1
    return RewardRun(rewarded, refused)


def _refuse(connection: Connection, found: store.Attribution, shared: frozenset[str], now: datetime) -> None:
    store.change_attribution(connection, found.programme, found.friend_id, status="refused")
    refusal = (
        Refusal(RefusalReason.SAME_ADDRESS, "the friend's orders ship to an address the referrer used")
        if "address" in shared
        else Refusal(RefusalReason.SAME_PAYMENT, "the friend pays with a means of payment the referrer used")
    )
    store.record_refusal(
        connection,
        found.programme,
        f"order:{found.order_id}",
        refusal,
        now,
        code=found.code,
        referrer_id=found.referrer_id,
        friend_id=found.friend_id,
        order_id=found.order_id,
    )


def _reward(connection: Connection, programme: Programme, found: store.Attribution, now: datetime) -> None:
    assert programme.referral is not None and found.window_closes_at is not None
    expires_at = lot_expiry(programme, now)
    referrer = points_for_action(programme, ActionDone("referral", now, occurrence_id=found.friend_id), ())
    if referrer.points and referrer.source_key:
        do_accrue(
            connection,
            programme.id,
            found.referrer_id,
            referrer.points,
            referrer.source_key,
            now,
            expires_at=expires_at,
            reason=f"referred {found.friend_id}",
        )
    friend_points = programme.referral.friend_points
    if friend_points:
        do_accrue(
            connection,
            programme.id,
            found.friend_id,
            friend_points,
            f"{programme.id}:referred_by:{found.referrer_id}",
            now,
            expires_at=expires_at,
            reason=f"referred by {found.referrer_id}",
        )
    store.change_attribution(
        connection,
        found.programme,
        found.friend_id,
        status="rewarded",
        rewarded_at=now,
        referrer_points=referrer.points,
        friend_points=friend_points,
    )
    announce_reward(connection, found, "referrer", found.referrer_id, referrer.points, now)
    announce_reward(connection, found, "friend", found.friend_id, friend_points, now)


def announce_reward(
    connection: Connection, found: store.Attribution, side: str, customer_id: str, points: int, now: datetime
) -> None:
    event = Event(
        event_id=f"loy:{REFERRAL_REWARDED}:{found.programme}:{found.friend_id}:{side}",
        type=REFERRAL_REWARDED,
        customer_id=customer_id,
        anonymous_id=None,
        occurred_at=now.astimezone(UTC),
        properties={
            "programme": found.programme,
            "side": side,
            "points": points,
            "referrer_customer_id": found.referrer_id,
            "friend_customer_id": found.friend_id,
            "order_id": found.order_id,
        },
        typed=None,
        derived=True,
    )
    append_new_events(connection, [event], now)
