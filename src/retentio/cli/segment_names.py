"""One line per built-in segment name, for the text reports (``retentio report``, ``retentio demo``),
built from the segment settings in force, so the numbers in them are the thresholds that decided the
standing. RFM scores are 1–5 by quintiles of the base: R 5 = bought most recently, F 5 = most orders,
M 5 = spent most."""

from __future__ import annotations

from functools import lru_cache

from retentio.segments import (
    DEFAULT_CONFIG,
    NEW_TO_THE_BASE,
    UNMATCHED_SEGMENT,
    Bounds,
    RfmRule,
    SegmentsConfig,
)

# What the default RFM names stand for; the score ranges come from the rule table in force.
_RFM_PHRASES = {
    "Champions": "bought very recently and often",
    "Loyal": "buy often, not the most recently",
    "Potential Loyalist": "recent buyers with a few orders",
    "New": "first order very recently",
    "Promising": "one order, fairly recent",
    "Need Attention": "middling on both recency and frequency",
    "About to Sleep": "few orders, and going quiet",
    "Can't Lose Them": "used to buy often and spend most, long gone quiet",
    "At Risk": "used to buy often, not for a long while",
    "Hibernating": "few orders, long ago",
    "Lost": "few orders, the longest ago",
}


@lru_cache(maxsize=8)
def meanings(config: SegmentsConfig = DEFAULT_CONFIG) -> dict[str, dict[str, str]]:
    """Every built-in name's explanation under ``config``, by family (``RFM``, ``lifecycle``, ``ladder``)."""
    life, ladder = config.lifecycle, config.ladder
    rfm = {rule.name: _rfm_meaning(rule) for rule in config.rfm.rules}
    rfm[UNMATCHED_SEGMENT] = "matches no rule of the RFM table"
    return {
        "RFM": rfm,
        "lifecycle": {
            "prospect": "known, has not ordered yet",
            "new": f"{_up_to(life.new_max_orders)} orders",
            "active": f"{life.new_max_orders + 1} or more orders, still buying",
            "loyal": (
                f"{life.loyal_min_orders} or more orders every {life.loyal_max_interval_days} days or more"
                f" often, and active within {life.engaged_days} days"
            ),
            "at_risk": "quiet for " + _quiet_gap(config),
            "churned": f"no order for {life.churn_days} days",
            "reactivated": "ordered again after being churned",
        },
        "ladder": {
            "unaware": "no recent sign of interest: introduce the store",
            "problem_aware": (
                f"read content in the last {ladder.problem_days} days: show what solves their need"
            ),
            "solution_aware": (
                f"viewed or searched products in {ladder.solution_days} days, or bought before: help choose"
            ),
            "ready_to_buy": _ready_to_buy(config),
            "loyal": (
                f"{ladder.loyal_min_orders} or more orders, the last within {ladder.loyal_days} days:"
                " reward and deepen"
            ),
        },
    }


def meaning(family: str, name: str, config: SegmentsConfig = DEFAULT_CONFIG) -> str:
    """The explanation of ``name``, or "" for a name the settings do not know."""
    return meanings(config).get(family, {}).get(name, "")


def bad_customers_meaning(config: SegmentsConfig = DEFAULT_CONFIG) -> str:
    return (
        f"checklist score {config.bad_customers.threshold} or more (returns, cancellations, unpaid orders,"
        " complaints, discount-only buying…): no incentives"
    )


def lifecycle_move_meaning(source: str, destination: str, config: SegmentsConfig = DEFAULT_CONFIG) -> str:
    """Why customers move from ``source`` to ``destination``, where the destination's meaning alone
    does not say it (a move down the ladder of orders happens when orders are cancelled or returned)."""
    if source == NEW_TO_THE_BASE:
        return "first decided: " + meaning("lifecycle", destination, config)
    moves = _lifecycle_moves(config)
    found = moves.get((source, destination)) or moves.get((None, destination))
    return found or meaning("lifecycle", destination, config)


@lru_cache(maxsize=8)
def _lifecycle_moves(config: SegmentsConfig) -> dict[tuple[str | None, str], str]:
    """Keyed by (from, to); ``None`` stands for any stage."""
    life = config.lifecycle
    few, more = _up_to(life.new_max_orders), f"{life.new_max_orders + 1} or more"
    often = f"every {life.loyal_max_interval_days} days or more often"
    return {
        ("prospect", "new"): "first order",
        ("at_risk", "new"): f"ordered again, still {few} orders",
        ("reactivated", "new"): f"ordered again soon after coming back, {few} orders",
        ("churned", "new"): "ordered again; the gap before it was shorter than the churn period",
        (None, "new"): f"cancellations or returns left {few} counted orders",
        (None, "prospect"): "every order cancelled (cancelled orders do not count)",
        ("new", "active"): f"ordered again, now {more} orders",
        ("loyal", "active"): f"no longer buying {often}, or not active lately",
        (None, "active"): f"ordered again, {more} orders",
        ("new", "loyal"): f"ordered again, {more} orders, {often}",
        ("active", "loyal"): f"now buying {often}",
        (None, "loyal"): f"ordered again, {often}",
        (None, "at_risk"): "went quiet for " + _quiet_gap(config),
        (None, "churned"): f"no order for {life.churn_days} days",
        (None, "reactivated"): "ordered again after being churned",
    }


def _ready_to_buy(config: SegmentsConfig) -> str:
    ladder = config.ladder
    cart = f"an open cart in {ladder.ready_days} days"
    # A recent order means "ready" below the ladder's loyal count, "loyal" from it on.
    below_loyal = ladder.loyal_min_orders - 1
    if below_loyal < 1:
        return f"{cart}: a reminder or an offer"
    recent = (
        f"a single order within {ladder.loyal_days} days"
        if below_loyal == 1
        else f"1–{below_loyal} orders, the last within {ladder.loyal_days} days"
    )
    return f"{cart}, or {recent}: a reminder or an offer"


def _quiet_gap(config: SegmentsConfig) -> str:
    life = config.lifecycle
    return (
        f"over {life.at_risk_factor:g} × their usual interval (at least {life.at_risk_min_days} days;"
        f" {life.at_risk_days_without_interval} days after a single order)"
    )


def _up_to(count: int) -> str:
    return "1" if count == 1 else f"1–{count}"


def _rfm_meaning(rule: RfmRule) -> str:
    ranges = ", ".join(
        f"{letter} {_bounds(bounds)}"
        for letter, bounds in (("R", rule.recency), ("F", rule.frequency), ("M", rule.monetary))
        if bounds != (1, 5)
    )
    phrase = _RFM_PHRASES.get(rule.name)
    if phrase is None:
        return ranges or "any scores"
    return f"{phrase} ({ranges})" if ranges else phrase


def _bounds(bounds: Bounds) -> str:
    low, high = bounds
    return str(low) if low == high else f"{low}–{high}"
