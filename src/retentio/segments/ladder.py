"""Hunt's ladder of purchase readiness (SEG-3, seed 000), inferred from recent behaviour.

A customer stands on the highest step whose signal is fresh: a recent repeat buyer is loyal; an open
cart or a recent first purchase means ready to buy; product views and searches (or any past purchase)
mean the customer knows the solution; reading content means they are aware of the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from retentio.segments.config import LadderConfig
from retentio.segments.inputs import DAY, CustomerInputs, Instant, earliest_after

LadderStage = Literal["unaware", "problem_aware", "solution_aware", "ready_to_buy", "loyal"]
LADDER_STAGES: tuple[LadderStage, ...] = (
    "unaware",
    "problem_aware",
    "solution_aware",
    "ready_to_buy",
    "loyal",
)


@dataclass(frozen=True, slots=True)
class Playbook:
    """What to send someone on a step (the seed's "how to work" with each step)."""

    content: str
    offer: str


PLAYBOOK: dict[LadderStage, Playbook] = {
    "unaware": Playbook(
        content="eye-opening content that shows the problem exists: articles, cases, infographics, video",
        offer="no sale yet: a free lead magnet or webinar",
    ),
    "problem_aware": Playbook(
        content="the ways to solve the problem, ours among them: guides, '5 ways to get rid of ...'",
        offer="a free webinar, consultation or sample",
    ),
    "solution_aware": Playbook(
        content="why us: comparisons (without aggression), reviews, cases, figures",
        offer="a trial, a guarantee, social proof",
    ),
    "ready_to_buy": Playbook(
        content="the last push and an easy purchase: cart reminders, a simpler checkout",
        offer="a promotion, discount or gift (only where incentives are allowed)",
    ),
    "loyal": Playbook(
        content="reminders through email, social and useful content",
        offer="the loyalty programme: bonuses, repeat-purchase discounts, referrals",
    ),
}


class LadderDecision(NamedTuple):  # a named tuple: one per customer per batch
    stage: LadderStage
    next_change_at: Instant | None


def _fresh(at: Instant | None, days: int, now: Instant) -> Instant | None:
    """When the signal at ``at`` stops counting, if it still counts at ``now``."""
    if at is None or now >= at + days * DAY:
        return None
    return at + days * DAY


def decide_ladder(inputs: CustomerInputs, now: Instant, config: LadderConfig) -> LadderDecision:
    last_order = inputs.last_order_at
    ordered = inputs.orders >= 1 and last_order is not None
    order_fresh = _fresh(last_order, config.loyal_days, now) if ordered else None
    open_cart = inputs.last_cart_at
    if open_cart is not None and last_order is not None and open_cart <= last_order:
        open_cart = None  # the cart ended in an order
    cart_fresh = _fresh(open_cart, config.ready_days, now)
    browse_fresh = _fresh(inputs.last_browse_at, config.solution_days, now)
    content_fresh = _fresh(inputs.last_content_at, config.problem_days, now)
    next_change = earliest_after(now, order_fresh, cart_fresh, browse_fresh, content_fresh)
    stage: LadderStage
    if order_fresh is not None and inputs.orders >= config.loyal_min_orders:
        stage = "loyal"
    elif cart_fresh is not None or order_fresh is not None:
        stage = "ready_to_buy"
    elif browse_fresh is not None or ordered:
        stage = "solution_aware"
    elif content_fresh is not None:
        stage = "problem_aware"
    else:
        stage = "unaware"
    return LadderDecision(stage, next_change)
