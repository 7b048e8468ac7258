"""One line per built-in segment name, for the text reports (``retentio report``, ``retentio demo``),
with the default thresholds (docs/segments.md). RFM scores are 1–5 by quintiles of the base: R 5 =
bought most recently, F 5 = most orders, M 5 = spent most."""

from __future__ import annotations

from retentio.segments.moves_summary import NEW_TO_THE_BASE

MEANINGS: dict[str, dict[str, str]] = {
    "RFM": {
        "Champions": "bought very recently and often (R 5, F 4–5)",
        "Loyal": "buy often, not the most recently (R 3–4, F 4–5)",
        "Potential Loyalist": "recent buyers with a few orders (R 4–5, F 2–3)",
        "New": "first order very recently (R 5, F 1)",
        "Promising": "one order, fairly recent (R 4, F 1)",
        "Need Attention": "middling on both recency and frequency (R 3, F 3)",
        "About to Sleep": "few orders, and going quiet (R 3, F 1–2)",
        "Can't Lose Them": "used to buy often and spend most, long gone quiet (R 1–2, F 4–5, M 4–5)",
        "At Risk": "used to buy often, not for a long while (R 1–2, F 3–5)",
        "Hibernating": "few orders, long ago (R 2, F 1–2)",
        "Lost": "few orders, the longest ago (R 1, F 1–2)",
        "Other": "matches no rule of a custom RFM table",
    },
    "lifecycle": {
        "prospect": "known, has not ordered yet",
        "new": "1–2 orders",
        "active": "3 or more orders, still buying",
        "loyal": "3 or more orders about monthly or more often, and recently active",
        "at_risk": "quiet for over twice their usual interval (60 days after a single order)",
        "churned": "no order for 180 days (configurable)",
        "reactivated": "ordered again after being churned",
    },
    "ladder": {
        "unaware": "no recent sign of interest: introduce the store",
        "problem_aware": "read content in the last 60 days: show what solves their need",
        "solution_aware": "viewed or searched products in 30 days, or bought before: help choose",
        "ready_to_buy": "an open cart in 14 days or a recent first order: a reminder or an offer",
        "loyal": "2 or more orders, the last within 180 days: reward and deepen",
    },
}

BAD_CUSTOMERS_MEANING = "returns, cancellations or discount-only buying over the threshold: no incentives"


def meaning(family: str, name: str) -> str:
    """The explanation of ``name``, or "" for a name this table does not know (a custom RFM rule)."""
    return MEANINGS.get(family, {}).get(name, "")


# Why a customer moves between two lifecycle stages, where the destination's meaning alone does not
# say it (a move down the ladder of orders happens when orders are cancelled or returned). Keyed by
# (from, to); ``None`` stands for any stage.
_LIFECYCLE_MOVES: dict[tuple[str | None, str], str] = {
    ("prospect", "new"): "first order",
    ("at_risk", "new"): "ordered again, still 1–2 orders",
    ("reactivated", "new"): "ordered again soon after coming back, 1–2 orders",
    ("churned", "new"): "ordered again; the gap before it was shorter than the churn period",
    (None, "new"): "cancellations or returns left 1–2 counted orders",
    (None, "prospect"): "every order cancelled (cancelled orders do not count)",
    ("new", "active"): "third order",
    ("loyal", "active"): "no longer buying about monthly, or not active lately",
    (None, "active"): "ordered again, 3 or more orders",
    ("new", "loyal"): "third order, about monthly or more often",
    ("active", "loyal"): "now buying about monthly or more often",
    (None, "loyal"): "ordered again, about monthly or more often",
    (None, "at_risk"): "went quiet: over twice their usual interval (60 days after a single order)",
    (None, "churned"): "no order for 180 days",
    (None, "reactivated"): "ordered again after being churned",
}


def lifecycle_move_meaning(source: str, destination: str) -> str:
    """Why customers move from ``source`` to ``destination`` (default thresholds, docs/segments.md)."""
    if source == NEW_TO_THE_BASE:
        return "first decided: " + meaning("lifecycle", destination)
    found = _LIFECYCLE_MOVES.get((source, destination)) or _LIFECYCLE_MOVES.get((None, destination))
    return found or meaning("lifecycle", destination)
