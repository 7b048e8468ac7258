"""Which arm a customer is in: a stable hash of the experiment id and the customer id, so the same
customer always lands in the same arm of an experiment, and arms of different experiments are
independent (the experiment id is part of what is hashed)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

HOLDOUT = "holdout"
_SPAN = 2**64


def unit_position(experiment_id: str, customer_id: str) -> Decimal:
    """A point in [0, 1) that looks uniformly random and is always the same for the pair."""
    digest = hashlib.sha256(f"{experiment_id}\x1f{customer_id}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / _SPAN


def assign_arm(
    experiment_id: str, customer_id: str, arms: Sequence[tuple[str, Decimal]], holdout: Decimal
) -> str:
    """``holdout`` for the first ``holdout`` share of positions; the rest is split by the arms'
    weights, in the order given."""
    if not arms:
        raise ValueError("an experiment needs at least one arm")
    if not Decimal(0) <= holdout < 1:
        raise ValueError("the holdout share is at least 0 and under 1")
    position = unit_position(experiment_id, customer_id)
    if position < holdout:
        return HOLDOUT
    total = sum((weight for _, weight in arms), Decimal(0))
    within = (position - holdout) / (1 - holdout) * total
    reached = Decimal(0)
    for name, weight in arms:
        reached += weight
        if within < reached:
            return name
    return arms[-1][0]
