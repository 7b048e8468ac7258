"""Rewards for what customers do besides buying. They are discretionary, so a customer the segments
flag ``do_not_incentivize`` gets none, and the refusal is recorded (``loyalty_refusals``) with the
points it would have been. Each reward's source key is the programme's ``once`` rule
(``points_for_action``), so the ledger credits it once however often the event comes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.db.batches import insert_ignoring_duplicates
from retentio.loyalty.earning.tables import loyalty_refusals
from retentio.loyalty.ledger.service import do_accrue
from retentio.loyalty.programmes.actions import ActionDone, points_for_action
from retentio.loyalty.programmes.expiry import lot_expiry
from retentio.loyalty.programmes.settings import Action, Programme

ACTOR = "retentio"
NOT_TO_INCENTIVIZE = "do_not_incentivize"


@dataclass(frozen=True, slots=True)
class Done:
    """A customer did something a programme may reward, at ``at`` (``occurrence_id`` tells repeats
    apart for actions rewarded each time)."""

    customer_id: str
    action: Action
    at: datetime
    occurrence_id: str | None = None


def do_reward_actions(
    connection: Connection,
    programme: Programme,
    done: list[Done],
    not_to_incentivize: Collection[str],
    now: datetime,
) -> int:
    """Credit each action its programme rewards; returns the rewards credited (repeats not counted)."""
    credited = 0
    for action in done:
        reward = points_for_action(programme, ActionDone(action.action, action.at, action.occurrence_id), ())
        if reward.source_key is None or reward.points <= 0:
            continue
        source = f"action:{reward.source_key}"
        if action.customer_id in not_to_incentivize:
            record_refusal(
                connection, programme.id, action.customer_id, source, reward.points, NOT_TO_INCENTIVIZE, now
            )
            continue
        posted = do_accrue(
            connection,
            programme.id,
            action.customer_id,
            reward.points,
            source,
            now,
            expires_at=lot_expiry(programme, now),
            actor=ACTOR,
            reason=action.action,
        )
        credited += 0 if posted.repeated else 1
    return credited


def record_refusal(
    connection: Connection,
    programme: str,
    customer_id: str,
    source: str,
    points: int,
    reason: str,
    now: datetime,
) -> None:
    connection.execute(
        insert_ignoring_duplicates(connection, loyalty_refusals).values(
            programme=programme,
            customer_id=customer_id,
            source=source,
            points=points,
            reason=reason,
            refused_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    programme: str
    customer_id: str
    source: str
    points: int
    reason: str
    refused_at: datetime


def list_refusals(connection: Connection, programme: str, customer_id: str) -> list[Refusal]:
    """The rewards refused to a customer, oldest first."""
    rows = connection.execute(
        select(loyalty_refusals)
        .where(loyalty_refusals.c.programme == programme, loyalty_refusals.c.customer_id == customer_id)
        .order_by(loyalty_refusals.c.id)
    )
    return [
        Refusal(row.programme, row.customer_id, row.source, int(row.points), row.reason, row.refused_at)
        for row in rows
    ]
