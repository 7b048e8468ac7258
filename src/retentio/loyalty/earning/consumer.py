"""``LoyaltyConsumer``: the log's consumer that makes the loyalty programmes follow the shop's events.

Per batch and per programme, in this order: enrol the customers the batch names (by the programme's
``enrolment`` rule, each with the tier their purchases already reach), settle the orders the batch
touches (points earned, taken back), reward actions, then replay the tiers of the customers whose
orders changed. Everything runs in the consumer's transaction, with its checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.customers import customers
from retentio.events import SYSTEM_EVENT_TYPES, Event, LoggedEvent
from retentio.loyalty.earning.actions import Done, do_reward_actions
from retentio.loyalty.earning.members import Member, add_members, load_members
from retentio.loyalty.earning.orders import do_settle_orders, unsettled_orders
from retentio.loyalty.earning.start import programme_start
from retentio.loyalty.earning.tiers import (
    TIER_CHANGED,
    do_update_tiers,
    purchases_of,
    record_change,
    tier_at_enrolment,
)
from retentio.loyalty.programmes.settings import LoyaltyConfig, Programme
from retentio.loyalty.tiers.evaluation import TierChange, review_after
from retentio.segments import not_to_incentivize

CONSUMER_NAME = "loyalty"
ORDER_TYPES = frozenset({"order_placed", "order_paid", "order_cancelled", "order_returned"})
# The profile fields that make a profile complete (the profile_completion reward).
PROFILE_FIELDS = ("email", "phone", "first_name", "last_name", "birthday")


class LoyaltyConsumer:
    """Earning, taking back and tiers for every programme of ``config``."""

    def __init__(self, config: LoyaltyConfig) -> None:
        self.config = config

    @property
    def name(self) -> str:
        return CONSUMER_NAME

    @property
    def event_types(self) -> frozenset[str] | None:
        return None  # enrolment on a first event and activity read every type

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        events = [
            logged.event
            for logged in batch
            if logged.event.customer_id
            and not logged.event.derived
            and logged.event.type not in SYSTEM_EVENT_TYPES
            and logged.event.type != TIER_CHANGED
        ]
        if not events:
            return
        for programme in self.config.programmes.values():
            earn(connection, programme, events, now)


def earn(connection: Connection, programme: Programme, events: Sequence[Event], now: datetime) -> None:
    start = programme_start(connection, programme, now)
    order_events = [event for event in events if event.type in ORDER_TYPES]
    order_ids = {str(event.properties["order_id"]) for event in order_events}
    customer_ids = {event.customer_id for event in events if event.customer_id}
    members = load_members(connection, programme.id, customer_ids)
    joined = _enrol(connection, programme, events, members, start, now)
    members.update({member.customer_id: member for member in joined})
    historical = {
        str(event.properties["order_id"])
        for event in order_events
        if event.type == "order_placed" and event.historical
    }
    # A visitor's orders become the customer's when they identify: they are settled then.
    identified = {event.customer_id for event in events if event.type == "identify" and event.customer_id}
    claimed = unsettled_orders(connection, programme, identified)
    order_ids |= set(claimed)
    if programme.tiers is not None:
        # Tiers first: the order that lifts a customer into a tier earns at that tier's multiplier.
        ordering = {event.customer_id for event in order_events if event.customer_id} | set(claimed.values())
        buyers = sorted(ordering & set(members))
        purchases = purchases_of(connection, programme, buyers)
        updated = do_update_tiers(connection, programme, [members[i] for i in buyers], purchases, now)
        members.update({member.customer_id: member for member in updated})
    do_settle_orders(connection, programme, order_ids, members, historical, start, now)
    done = _actions(connection, programme, events, joined, start, members)
    if done:
        refused = not_to_incentivize(connection, {action.customer_id for action in done})
        do_reward_actions(connection, programme, done, refused, now)


def _enrol(
    connection: Connection,
    programme: Programme,
    events: Sequence[Event],
    members: dict[str, Member],
    start: datetime,
    now: datetime,
) -> list[Member]:
    """New members, at their first event (or first order) the batch holds, never before the
    programme's start nor after ``now``."""
    first: dict[str, datetime] = {}
    for event in events:
        assert event.customer_id is not None
        if event.customer_id in members:
            continue
        if not _enrols(programme, event):
            continue
        at = min(max(event.occurred_at, start), now)
        first[event.customer_id] = min(first.get(event.customer_id, at), at)
    if not first:
        return []
    purchases = purchases_of(connection, programme, first) if programme.tiers is not None else {}
    joined: list[Member] = []
    moves: list[tuple[str, TierChange, str]] = []
    for customer_id in sorted(first):
        tier = None
        if programme.tiers is not None:
            at = first[customer_id]
            tier, found = tier_at_enrolment(programme.tiers, purchases.get(customer_id, []), at)
            for from_level, to_level, reason in found:
                moves.append((customer_id, TierChange(at, from_level, to_level, "upgrade"), reason))
        # The first review is due from the start, so a member who never buys again is still reviewed.
        review = review_after(programme.tiers, tier) if programme.tiers is not None and tier else None
        joined.append(Member(programme.id, customer_id, first[customer_id], tier, review))
    add_members(connection, joined, now)
    for customer_id, change, reason in moves:
        record_change(connection, programme.id, customer_id, change, reason, now)
    return joined


def _enrols(programme: Programme, event: Event) -> bool:
    if programme.enrolment == "first_order":
        return event.type == "order_placed"
    if programme.enrolment == "on_join":
        named = event.properties.get("programme")
        return event.type == "loyalty_joined" and named in (None, programme.id)
    return True


def _actions(
    connection: Connection,
    programme: Programme,
    events: Sequence[Event],
    joined: Sequence[Member],
    start: datetime,
    members: Mapping[str, Member],
) -> list[Done]:
    """The members' rewardable actions of the batch; history (a backfill, or before the programme
    started) is not rewarded, nor is what a customer did before joining."""
    if not programme.actions:
        return []
    current = [
        event
        for event in events
        if not event.historical and event.occurred_at >= start and _member_then(programme, members, event)
    ]
    done: list[Done] = []
    new_members = {member.customer_id for member in joined}
    for event in current:
        assert event.customer_id is not None
        if event.customer_id in new_members:
            # Registration: rewarded at enrolment, when the event that enrolled them is not history.
            done.append(Done(event.customer_id, "registration", event.occurred_at))
            new_members.discard(event.customer_id)
        if event.type == "subscribed":
            done.append(Done(event.customer_id, "subscription", event.occurred_at))
        elif event.type == "review_submitted":
            done.append(Done(event.customer_id, "review", event.occurred_at, event.event_id))
    identified = sorted(
        {event.customer_id for event in current if event.type == "identify" and event.customer_id}
    )
    if "profile_completion" in programme.actions and identified:
        at = {event.customer_id: event.occurred_at for event in current if event.type == "identify"}
        for customer_id in _complete_profiles(connection, identified):
            done.append(Done(customer_id, "profile_completion", at[customer_id]))
    return done


def _member_then(programme: Programme, members: Mapping[str, Member], event: Event) -> bool:
    """Whether the event's customer was a member when it happened: in a programme customers join,
    from their joining on; otherwise any member (enrolment is the first event or order itself)."""
    member = members.get(event.customer_id or "")
    if member is None:
        return False
    return programme.enrolment != "on_join" or event.occurred_at >= member.enrolled_at


def _complete_profiles(connection: Connection, customer_ids: Sequence[str]) -> list[str]:
    query = select(customers.c.customer_id).where(
        customers.c.customer_id.in_(customer_ids),
        *(customers.c[field].is_not(None) for field in PROFILE_FIELDS),
    )
    return sorted(row.customer_id for row in connection.execute(query))
