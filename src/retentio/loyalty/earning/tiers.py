"""Keeping each member's tier: the purchases that qualify read set-based from the orders area's
tables, ``evaluate_tier`` replayed from the stored status, and each change written to the tier
history with a ``tier_changed`` event whose id is stable (programme, customer, instant, tier), so a
rerun writes nothing twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import Connection, insert, select

from retentio.events import Event, append_new_events
from retentio.loyalty.earning.members import CHUNK, Member, save_tier
from retentio.loyalty.earning.tables import loyalty_tier_changes
from retentio.loyalty.programmes.settings import Programme
from retentio.loyalty.tiers.definition import TierDefinition
from retentio.loyalty.tiers.evaluation import TierChange, TierStatus, evaluate_tier
from retentio.loyalty.tiers.measure import Purchase, Qualification
from retentio.orders import orders
from retentio.types.money import minor_digits

TIER_CHANGED = "tier_changed"


def purchases_of(
    connection: Connection, programme: Programme, customer_ids: Iterable[str]
) -> dict[str, list[Purchase]]:
    """Each customer's orders that count (placed, not cancelled, in the programme's currency) at
    what returns left of them."""
    wanted = sorted(set(customer_ids))
    unit = Decimal(10) ** minor_digits(programme.currency)
    found: dict[str, list[Purchase]] = defaultdict(list)
    for start in range(0, len(wanted), CHUNK):
        rows = connection.execute(
            select(
                orders.c.customer_id, orders.c.placed_at, orders.c.total_minor, orders.c.returned_minor
            ).where(
                orders.c.customer_id.in_(wanted[start : start + CHUNK]),
                orders.c.placed_at.is_not(None),
                orders.c.cancelled_at.is_(None),
                orders.c.currency == programme.currency,
            )
        )
        for row in rows:
            net = max(int(row.total_minor) - int(row.returned_minor), 0)
            found[row.customer_id].append(Purchase(row.placed_at, Decimal(net) / unit))
    return found


def tier_at_enrolment(
    definition: TierDefinition, purchases: Sequence[Purchase], at: datetime
) -> tuple[TierStatus, list[tuple[str, str, str]]]:
    """A new member holds the tier their purchases in the window already reach (the first level for
    a new customer), reviewed from enrolment; with the moves to write: (from, to, reason), the tier
    history gave ("enrolment"), then the tier an order at the enrolling instant reached ("upgrade")."""
    before = definition.qualifying(Qualification(definition, [p for p in purchases if p.at < at]).measure(at))
    level = definition.qualifying(Qualification(definition, purchases).measure(at))
    moves: list[tuple[str, str, str]] = []
    if before.id != definition.levels[0].id:
        moves.append((definition.levels[0].id, before.id, "enrolment"))
    if level.id != before.id:
        moves.append((before.id, level.id, "upgrade"))
    return TierStatus(level.id, at, at, at), moves


def do_update_tiers(
    connection: Connection,
    programme: Programme,
    members: Sequence[Member],
    purchases: dict[str, list[Purchase]],
    now: datetime,
) -> list[Member]:
    """Replay each member's tier to ``now``; store it and write each change once. Returns the
    members as stored after it."""
    definition = programme.tiers
    if definition is None:
        return list(members)
    after: list[Member] = []
    for member in members:
        history = purchases.get(member.customer_id, [])
        if member.tier is None or member.tier.level not in definition.ids:
            member = _start_again(connection, programme.id, definition, member, history, now)
        assert member.tier is not None
        evaluation = evaluate_tier(definition, history, member.tier, now)
        moved = (evaluation.status, evaluation.next_review, evaluation.grace_until) != (
            member.tier,
            member.next_review,
            member.grace_until,
        )
        after.append(save_tier(connection, member, evaluation, now) if moved else member)
        for change in evaluation.changes:
            record_change(connection, programme.id, member.customer_id, change, change.direction, now)
    return after


def _start_again(
    connection: Connection,
    programme: str,
    definition: TierDefinition,
    member: Member,
    history: Sequence[Purchase],
    now: datetime,
) -> Member:
    """A member whose stored tier the settings no longer have (levels renamed, tiers added to a
    programme) holds what their purchases reach now, reviewed from now: the consumer must not stop
    on a settings change, and the move is in the history with reason ``settings_changed``."""
    level = definition.qualifying(Qualification(definition, history).measure(now))
    was = member.tier.level if member.tier is not None else definition.levels[0].id
    if was != level.id:
        direction: Literal["upgrade", "downgrade"] = (
            "downgrade"
            if was in definition.ids and definition.rank(was) > definition.rank(level.id)
            else "upgrade"
        )
        record_change(
            connection,
            programme,
            member.customer_id,
            TierChange(now, was, level.id, direction),
            "settings_changed",
            now,
        )
    return replace(member, tier=TierStatus(level.id, now, now, now), next_review=None, grace_until=None)


def record_change(
    connection: Connection, programme: str, customer_id: str, change: TierChange, reason: str, now: datetime
) -> None:
    at = change.at.astimezone(UTC)
    event_id = f"loy:{TIER_CHANGED}:{programme}:{customer_id}:{at.isoformat()}:{change.to_level}"
    event = Event(
        event_id=event_id,
        type=TIER_CHANGED,
        customer_id=customer_id,
        anonymous_id=None,
        occurred_at=change.at.astimezone(UTC),
        properties={
            "programme": programme,
            "from": change.from_level,
            "to": change.to_level,
            "reason": reason,
        },
        typed=None,
        derived=True,
    )
    if not append_new_events(connection, [event], now):
        return  # written before: its history row too
    connection.execute(
        insert(loyalty_tier_changes).values(
            programme=programme,
            customer_id=customer_id,
            changed_at=change.at,
            from_tier=change.from_level,
            to_tier=change.to_level,
            reason=reason,
            event_id=event_id,
            recorded_at=now,
        )
    )
