"""What a customer holds: the codes the policy issued that still work (before their end), newest
first — points, once credited, are the loyalty balance's; and for many customers at once (a
message's recipients) the best code each, in a few set-based reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, select

from retentio.db.batches import chunks
from retentio.loyalty import used_up_codes
from retentio.offers.policy.record import OfferDecision, decision_of
from retentio.offers.policy.tables import offer_decisions

_LOG = offer_decisions.c


def _holding(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Decisions that gave a code still usable."""
    return (_LOG.code.is_not(None), _LOG.valid_until > now, _LOG.decided_at <= now)


def current_offers(connection: Connection, customer_id: str, now: datetime) -> list[OfferDecision]:
    rows = connection.execute(
        select(offer_decisions)
        .where(_LOG.customer_id == customer_id, *_holding(now))
        .order_by(_LOG.decided_at.desc(), _LOG.id.desc())
    ).all()
    return _not_used_up(connection, [decision_of(row) for row in rows])


def decisions_of(connection: Connection, customer_id: str, limit: int = 50) -> list[OfferDecision]:
    """The customer's logged decisions, "nothing" included, newest first."""
    rows = connection.execute(
        select(offer_decisions)
        .where(_LOG.customer_id == customer_id)
        .order_by(_LOG.decided_at.desc(), _LOG.id.desc())
        .limit(limit)
    ).all()
    return [decision_of(row) for row in rows]


def best_offers(
    connection: Connection, customer_ids: Iterable[str], now: datetime
) -> dict[str, OfferDecision]:
    """Per customer, the valid code worth most (then the one ending last); customers without one
    are absent. Points are not a code to show and are left out."""
    best: dict[str, OfferDecision] = {}
    for part in chunks(sorted(set(customer_ids))):
        rows = connection.execute(
            select(offer_decisions).where(_LOG.customer_id.in_(part), *_holding(now))
        ).all()
        for found in _not_used_up(connection, [decision_of(row) for row in rows]):
            held = best.get(found.customer_id)
            if held is None or _rank(found) > _rank(held):
                best[found.customer_id] = found
    return best


def _not_used_up(connection: Connection, decisions: list[OfferDecision]) -> list[OfferDecision]:
    """Without the codes already used (a code is issued with the source ``offer:<decision id>``)."""
    used = used_up_codes(connection, (f"offer:{decision.id}" for decision in decisions))
    return [decision for decision in decisions if f"offer:{decision.id}" not in used]


def _rank(decision: OfferDecision) -> tuple[object, ...]:
    return (decision.cost, decision.valid_until, decision.id or 0)
