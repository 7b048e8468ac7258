"""Personal offers: the recommenders (trained in batch, stored as versioned models, served per
customer and context), replenishment and the occasions that make an offer due, and the offer policy
that decides what, if anything, a customer is offered and how much (``offers.policy``).

This package is the area's facade: other areas import these names from ``retentio.offers``, never
its modules (``lint-imports`` checks it). Each name loads its module on first use
(``retentio.facade``): training needs NumPy, SciPy and ``implicit``, which reading an offer does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.offers.policy.decide import UnknownOccasion, decide
    from retentio.offers.policy.facts import read_offer_facts
    from retentio.offers.policy.issue import (
        OfferError,
        UnknownOfferCustomer,
        do_offer,
        offer_once,
        preview_offer,
    )
    from retentio.offers.policy.loading import PolicyConfigError, load_offer_policy, parse_offer_policy
    from retentio.offers.policy.model import BudgetState, CustomerOfferFacts, Decision, Offer
    from retentio.offers.policy.reads import best_offers, current_offers, decisions_of
    from retentio.offers.policy.record import OfferDecision
    from retentio.offers.policy.results import ExperimentReport, offer_results
    from retentio.offers.policy.settings import OCCASIONS, Occasion, PolicySettings

__all__ = [
    "OCCASIONS",
    "BudgetState",
    "CustomerOfferFacts",
    "Decision",
    "ExperimentReport",
    "Occasion",
    "Offer",
    "OfferDecision",
    "OfferError",
    "PolicyConfigError",
    "PolicySettings",
    "UnknownOccasion",
    "UnknownOfferCustomer",
    "best_offers",
    "current_offers",
    "decide",
    "decisions_of",
    "do_offer",
    "load_offer_policy",
    "offer_once",
    "offer_results",
    "parse_offer_policy",
    "preview_offer",
    "read_offer_facts",
]

_EXPORTS: dict[str, list[str]] = {
    "retentio.offers.policy.decide": ["UnknownOccasion", "decide"],
    "retentio.offers.policy.facts": ["read_offer_facts"],
    "retentio.offers.policy.issue": [
        "OfferError",
        "UnknownOfferCustomer",
        "do_offer",
        "offer_once",
        "preview_offer",
    ],
    "retentio.offers.policy.loading": ["PolicyConfigError", "load_offer_policy", "parse_offer_policy"],
    "retentio.offers.policy.model": ["BudgetState", "CustomerOfferFacts", "Decision", "Offer"],
    "retentio.offers.policy.reads": ["best_offers", "current_offers", "decisions_of"],
    "retentio.offers.policy.record": ["OfferDecision"],
    "retentio.offers.policy.results": ["ExperimentReport", "offer_results"],
    "retentio.offers.policy.settings": ["OCCASIONS", "Occasion", "PolicySettings"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
