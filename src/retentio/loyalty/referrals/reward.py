"""Rewarding both sides once the friend's first paid order outlived its return window: the
referrer's points are ``actions.referral``, the friend's ``referral.friend_points``, each credited
by the ledger under a source key of its own (so a rerun credits nothing twice), and each side with
points announced as a ``referral_rewarded`` event with a stable id. The order is read again first:
cancelled or returned means no reward; an address or a means of payment the referrer used on any of
the friend's orders means no reward either."""

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


@dataclass(frozen=True, slots=True)
class _Credit:
    programme: Programme
    customer_id: str
    points: int
    source: str
    reason: str


def do_reward_referrals(connection: Connection, config: LoyaltyConfig, now: datetime) -> RewardRun:
    """Reward every referral whose window has closed by ``now``, in the caller's transaction."""
    refused = 0
    due = store.due_rewards(connection, now)
    states = load_orders(connection, sorted({found.order_id for found in due if found.order_id}))
    credits: list[_Credit] = []
    rewarded: list[tuple[store.Attribution, int, int]] = []
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
        mine = _credits(programme, found, now)
        credits += mine
        points = {credit.customer_id: credit.points for credit in mine}
        rewarded.append((found, points.get(found.referrer_id, 0), points.get(found.friend_id, 0)))
    # Balances are locked in the ledger's order (programme, customer), so this run and the order
    # earning of the same customers never wait on each other crosswise.
    for credit in sorted(
        credits, key=lambda credit: (credit.programme.id, credit.customer_id, credit.source)
    ):
        do_accrue(
            connection,
            credit.programme.id,
            credit.customer_id,
            credit.points,
            credit.source,
            now,
            expires_at=lot_expiry(credit.programme, now),
            reason=credit.reason,
        )
    announcements: list[Event] = []
    for found, referrer_points, friend_points in rewarded:
        store.change_attribution(
            connection,
            found,
            status="rewarded",
            rewarded_at=now,
            referrer_points=referrer_points,
            friend_points=friend_points,
        )
        if referrer_points:
            announcements.append(reward_event(found, "referrer", found.referrer_id, referrer_points, now))
        if friend_points:
            announcements.append(reward_event(found, "friend", found.friend_id, friend_points, now))
    if announcements:
        append_new_events(connection, announcements, now)  # one statement for the whole run
    return RewardRun(len(rewarded), refused)


def _credits(programme: Programme, found: store.Attribution, now: datetime) -> list[_Credit]:
    assert programme.referral is not None
    credits = []
    referrer = points_for_action(programme, ActionDone("referral", now, occurrence_id=found.friend_id), ())
    if referrer.points and referrer.source_key:
        credits.append(
            _Credit(
                programme,
                found.referrer_id,
                referrer.points,
                referrer.source_key,
                f"referred {found.friend_id}",
            )
        )
    if programme.referral.friend_points:
        source = f"{programme.id}:referred_by:{found.referrer_id}"
        reason = f"referred by {found.referrer_id}"
        credits.append(_Credit(programme, found.friend_id, programme.referral.friend_points, source, reason))
    return credits


def _refuse(connection: Connection, found: store.Attribution, shared: frozenset[str], now: datetime) -> None:
    if not store.change_attribution(connection, found, status="refused"):
        return
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


def reward_event(found: store.Attribution, side: str, customer_id: str, points: int, now: datetime) -> Event:
    return Event(
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
