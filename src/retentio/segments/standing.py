"""What other areas read about where a customer stands: frozen values, never rows.

Offers and rewards call ``may_incentivize`` (or ``not_to_incentivize`` for many) before giving
anything; the API and the customer 360 read ``get_standing`` and ``customer_facts``; reports read
``segment_counts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from retentio.db.batches import chunks
from retentio.segments.facts import PersonalFacts
from retentio.segments.ladder import PLAYBOOK, Playbook
from retentio.segments.rfm import RfmScores
from retentio.segments.tables import customer_standing as st


@dataclass(frozen=True, slots=True)
class CustomerStanding:
    customer_id: str
    rfm: RfmScores | None
    rfm_segment: str | None
    lifecycle: str
    lifecycle_since: datetime | None
    ladder: str
    ladder_since: datetime | None
    playbook: Playbook | None  # the content and offer that fit the ladder step
    bad_score: int
    bad_customer: bool
    bad_reasons: tuple[str, ...]
    do_not_incentivize: bool
    facts: PersonalFacts | None  # None until first computed
    next_due_at: datetime | None
    computed_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "rfm": None
            if self.rfm is None
            else {
                "recency": self.rfm.recency,
                "frequency": self.rfm.frequency,
                "monetary": self.rfm.monetary,
            },
            "rfm_segment": self.rfm_segment,
            "lifecycle": self.lifecycle,
            "lifecycle_since": _iso(self.lifecycle_since),
            "ladder": self.ladder,
            "ladder_since": _iso(self.ladder_since),
            "playbook": None
            if self.playbook is None
            else {"content": self.playbook.content, "offer": self.playbook.offer},
            "bad_score": self.bad_score,
            "bad_customer": self.bad_customer,
            "bad_reasons": list(self.bad_reasons),
            "do_not_incentivize": self.do_not_incentivize,
            "facts": None if self.facts is None else _facts_json(self.facts),
            "next_due_at": _iso(self.next_due_at),
            "computed_at": _iso(self.computed_at),
        }


@dataclass(frozen=True, slots=True)
class SegmentCounts:
    rfm: dict[str, int]
    lifecycle: dict[str, int]
    ladder: dict[str, int]
    bad_customers: int


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _facts_json(facts: PersonalFacts) -> dict[str, Any]:
    return {
        "reward_propensity": facts.reward_propensity,
        "preferred_channel": facts.preferred_channel,
        "preferred_hour": facts.preferred_hour,
        "usual_interval_days": facts.usual_interval_days,
    }


def get_standing(connection: Connection, customer_id: str) -> CustomerStanding | None:
    row = connection.execute(select(st).where(st.c.customer_id == customer_id)).first()
    return None if row is None else _standing(row)


def _standing(row: Any) -> CustomerStanding:
    scores = None
    if row.rfm_recency is not None:
        scores = RfmScores(row.rfm_recency, row.rfm_frequency, row.rfm_monetary)
    return CustomerStanding(
        customer_id=row.customer_id,
        rfm=scores,
        rfm_segment=row.rfm_segment,
        lifecycle=row.lifecycle,
        lifecycle_since=row.lifecycle_since,
        ladder=row.ladder,
        ladder_since=row.ladder_since,
        playbook=PLAYBOOK.get(row.ladder),
        bad_score=row.bad_score,
        bad_customer=bool(row.bad_customer),
        bad_reasons=tuple(row.bad_reasons or ()),
        do_not_incentivize=bool(row.do_not_incentivize),
        facts=_facts(row),
        next_due_at=row.next_due_at,
        computed_at=row.computed_at,
    )


def _facts(row: Any) -> PersonalFacts | None:
    if row.reward_propensity is None:
        return None
    return PersonalFacts(
        reward_propensity=row.reward_propensity,
        preferred_channel=row.preferred_channel,
        preferred_hour=row.preferred_hour,
        usual_interval_days=row.usual_interval_days,
    )


def customer_facts(connection: Connection, customer_id: str) -> PersonalFacts | None:
    """The personalisation facts (SEG-5) of a customer, ``None`` when not computed yet."""
    row = connection.execute(
        select(
            st.c.reward_propensity, st.c.preferred_channel, st.c.preferred_hour, st.c.usual_interval_days
        ).where(st.c.customer_id == customer_id)
    ).first()
    return None if row is None else _facts(row)


def may_incentivize(connection: Connection, customer_id: str) -> bool:
    """False for customers flagged by the bad-customer checklist: no discount, bonus or gift for them.
    A customer never evaluated has nothing against them."""
    flag = connection.execute(
        select(st.c.do_not_incentivize).where(st.c.customer_id == customer_id)
    ).scalar_one_or_none()
    return not flag


def not_to_incentivize(connection: Connection, customer_ids: Iterable[str]) -> set[str]:
    """Of ``customer_ids``, those who must not be incentivised (for batch offers and rewards)."""
    flagged: set[str] = set()
    for part in chunks(sorted(set(customer_ids))):
        flagged.update(
            connection.execute(
                select(st.c.customer_id).where(st.c.customer_id.in_(part), st.c.do_not_incentivize.is_(True))
            ).scalars()
        )
    return flagged


def segment_counts(connection: Connection) -> SegmentCounts:
    """How many customers stand where, per family (prospects without any event have no standing)."""

    def counts(column: Any) -> dict[str, int]:
        rows = connection.execute(
            select(column, func.count()).where(column.is_not(None)).group_by(column).order_by(column)
        )
        return {str(name): int(count) for name, count in rows}

    bad = connection.execute(select(func.count()).where(st.c.bad_customer.is_(True))).scalar_one()
    return SegmentCounts(
        rfm=counts(st.c.rfm_segment),
        lifecycle=counts(st.c.lifecycle),
        ladder=counts(st.c.ladder),
        bad_customers=int(bad),
    )
