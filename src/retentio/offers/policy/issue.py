"""Deciding and giving an offer (OFF-9): the customer's facts and the period's budget are read, the
experiment arm assigned, the pure decision taken, the offer issued — a personal code of the
occasion's pool, or points credited in the loyalty ledger — and the decision logged with its reasons,
"nothing" included. One decision per (customer, occasion, occasion key): a retry returns the logged
one and issues nothing twice. Everything happens in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from retentio.analytics import HOLDOUT, assign_arm
from retentio.db.retry import in_transaction
from retentio.loyalty import InvalidPool, NotToIncentivize, do_accrue, do_issue_code
from retentio.offers.policy.budget import read_budget
from retentio.offers.policy.decide import UnknownOccasion, decide
from retentio.offers.policy.facts import read_offer_facts
from retentio.offers.policy.model import NOTHING, Decision
from retentio.offers.policy.pools import occasion_pool
from retentio.offers.policy.record import OfferDecision, decision_of
from retentio.offers.policy.settings import PolicySettings
from retentio.offers.policy.tables import offer_decisions
from retentio.types.money import to_minor

MAX_KEY = 200
_RACES = 2  # a pool's creation, then the decision's insert
# The advisory lock the budget's spenders take turns with: its own first key ("OFF").
_BUDGET_LOCK = {"class": 0x4F_46_46, "key": 1}


class OfferError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownOfferCustomer(OfferError):
    def __init__(self, customer_id: str) -> None:
        super().__init__("customer_id", f"no customer {customer_id!r}")


def preview_offer(
    connection: Connection, settings: PolicySettings, customer_id: str, occasion: str, now: datetime
) -> OfferDecision:
    """What the policy would decide now, issuing and logging nothing."""
    experiment, variant, decision = _decide(connection, settings, customer_id, occasion, now)
    return _unlogged(settings, customer_id, occasion, None, decision, experiment, variant, now)


def do_offer(
    connection: Connection,
    settings: PolicySettings,
    customer_id: str,
    occasion: str,
    occasion_key: str,
    now: datetime,
) -> OfferDecision:
    _check_key(occasion_key)
    logged = _logged(connection, customer_id, occasion, occasion_key)
    if logged is not None:
        return logged
    _hold_the_budget(connection)
    experiment, variant, decision = _decide(connection, settings, customer_id, occasion, now)
    offer = decision.offer
    decision_id = connection.execute(
        insert(offer_decisions)
        .values(
            customer_id=customer_id,
            occasion=occasion,
            occasion_key=occasion_key,
            offer=offer.kind,
            size=offer.size,
            currency=settings.currency,
            cost_minor=to_minor(offer.cost, settings.currency),
            valid_until=offer.valid_until,
            reasons=list(decision.reasons),
            experiment=experiment,
            variant=variant,
            decided_at=now,
        )
        .returning(offer_decisions.c.id)
    ).scalar_one()
    _give(connection, settings, decision_id, customer_id, occasion, decision, now)
    found = _logged(connection, customer_id, occasion, occasion_key)
    assert found is not None  # written above in this transaction
    return found


def offer_once(
    engine: Engine,
    settings: PolicySettings,
    customer_id: str,
    occasion: str,
    occasion_key: str,
    now: datetime,
) -> OfferDecision:
    """``do_offer`` in its own transaction, for callers holding an engine (the API, a worker). Two
    requests racing for the same key, or for a pool neither has created yet: the loser's insert
    breaks a unique index, and its next try finds what the winner logged or created. A request can
    lose each race once (the pool's, then the decision's), so three tries settle it."""

    def work(connection: Connection) -> OfferDecision:
        return do_offer(connection, settings, customer_id, occasion, occasion_key, now)

    for _ in range(_RACES):
        try:
            return in_transaction(engine, work)
        except (IntegrityError, InvalidPool):
            continue
    return in_transaction(engine, work)


def _decide(
    connection: Connection, settings: PolicySettings, customer_id: str, occasion: str, now: datetime
) -> tuple[str | None, str | None, Decision]:
    """The decision with the experiment and arm it fell in (None, None outside any)."""
    if settings.rule(occasion) is None:
        raise UnknownOccasion(occasion, tuple(settings.occasions))
    facts = read_offer_facts(connection, customer_id, settings.currency, now)
    if facts is None:
        raise UnknownOfferCustomer(customer_id)
    experiment = settings.experiment(occasion)
    budget = read_budget(connection, settings.budget.period, occasion, settings.currency, now)
    if experiment is None:
        return None, None, decide(settings, facts, occasion, budget, now)
    arms = [(name, variant.weight) for name, variant in experiment.variants.items()]
    name = assign_arm(experiment.id, customer_id, arms, experiment.holdout)
    if name == HOLDOUT:
        reason = f"in the holdout of experiment {experiment.id} → nothing, to measure the offers against"
        return experiment.id, HOLDOUT, Decision(NOTHING, (reason,))
    decision = decide(settings, facts, occasion, budget, now, experiment.variants[name])
    reasons = (f"arm {name} of experiment {experiment.id}", *decision.reasons)
    return experiment.id, name, Decision(decision.offer, reasons)


def _give(
    connection: Connection,
    settings: PolicySettings,
    decision_id: int,
    customer_id: str,
    occasion: str,
    decision: Decision,
    now: datetime,
) -> None:
    offer = decision.offer
    source = f"offer:{decision_id}"
    if offer.kind == "nothing":
        return
    if offer.kind == "points":
        do_accrue(
            connection,
            settings.points_programme,
            customer_id,
            int(offer.size),
            source,
            now,
            reason=f"{occasion} offer",
        )
        return
    pool = occasion_pool(connection, settings, occasion, offer, now)
    try:
        issued = do_issue_code(connection, pool, customer_id, source, now)
    except NotToIncentivize:
        reasons = [*decision.reasons, "the coupons refused a code: flagged do_not_incentivize → nothing"]
        connection.execute(
            update(offer_decisions)
            .where(offer_decisions.c.id == decision_id)
            .values(offer="nothing", size=Decimal(0), cost_minor=0, valid_until=None, reasons=reasons)
        )
        return
    connection.execute(
        update(offer_decisions).where(offer_decisions.c.id == decision_id).values(code=issued.code)
    )


def _logged(
    connection: Connection, customer_id: str, occasion: str, occasion_key: str
) -> OfferDecision | None:
    row = connection.execute(
        select(offer_decisions).where(
            offer_decisions.c.customer_id == customer_id,
            offer_decisions.c.occasion == occasion,
            offer_decisions.c.occasion_key == occasion_key,
        )
    ).one_or_none()
    return None if row is None else decision_of(row)


def _unlogged(
    settings: PolicySettings,
    customer_id: str,
    occasion: str,
    occasion_key: str | None,
    decision: Decision,
    experiment: str | None,
    variant: str | None,
    now: datetime,
) -> OfferDecision:
    offer = decision.offer
    return OfferDecision(
        None,
        customer_id,
        occasion,
        occasion_key,
        offer.kind,
        offer.size,
        settings.currency,
        offer.cost,
        None,
        offer.valid_until,
        decision.reasons,
        experiment,
        variant,
        now,
    )


def _hold_the_budget(connection: Connection) -> None:
    """Decisions that spend the budget take turns until they commit: two read alike, both would
    spend what is left. On SQLite the one writer already takes turns."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:class, :key)"), _BUDGET_LOCK)


def _check_key(occasion_key: str) -> None:
    if not occasion_key.strip() or len(occasion_key) > MAX_KEY or "\x00" in occasion_key:
        raise OfferError("occasion_key", f"an occasion key has 1 to {MAX_KEY} characters, not blank")
