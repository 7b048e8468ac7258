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
    from retentio.offers.occasions.announce import OFFER_DUE, REPLENISHMENT_DUE
    from retentio.offers.occasions.announce import Occasion as DueOccasion
    from retentio.offers.occasions.reads import (
        read_announced,
        read_intervals,
        read_top_intervals,
        read_waits,
    )
    from retentio.offers.occasions.settings import (
        OccasionSettings,
        OccasionSettingsError,
        load_occasion_settings,
    )
    from retentio.offers.occasions.sweep import (
        Plan,
        SweepRun,
        do_occasion_sweep,
        occasion_kinds,
        plan_occasions,
        start_occasion_sweep,
    )
    from retentio.offers.occasions.waiting import OccasionsConsumer, waiting_kinds
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
    from retentio.offers.recs.business_rules import Recommendation, Rules
    from retentio.offers.recs.config import RecsConfig, RecsConfigError, load_recs_config
    from retentio.offers.recs.email import recommendations_for_customers
    from retentio.offers.recs.refresh import TRAIN_JOB, do_train_recs
    from retentio.offers.recs.schedule import recs_kinds, start_recs_training
    from retentio.offers.recs.serving import (
        CONTEXTS,
        MAX_RECOMMENDATIONS,
        MAX_SEED_SKUS,
        RELATED_KINDS,
        LoadedRecs,
        RecsCache,
        recommend,
        related_items,
    )
    from retentio.offers.recs.store_evaluation import evaluate_store_baskets
    from retentio.offers.recs.versions import ModelVersion

__all__ = [
    "CONTEXTS",
    "MAX_RECOMMENDATIONS",
    "MAX_SEED_SKUS",
    "OCCASIONS",
    "OFFER_DUE",
    "RELATED_KINDS",
    "REPLENISHMENT_DUE",
    "TRAIN_JOB",
    "BudgetState",
    "CustomerOfferFacts",
    "Decision",
    "DueOccasion",
    "ExperimentReport",
    "LoadedRecs",
    "ModelVersion",
    "Occasion",
    "OccasionSettings",
    "OccasionSettingsError",
    "OccasionsConsumer",
    "Offer",
    "OfferDecision",
    "OfferError",
    "Plan",
    "PolicyConfigError",
    "PolicySettings",
    "Recommendation",
    "RecsCache",
    "RecsConfig",
    "RecsConfigError",
    "Rules",
    "SweepRun",
    "UnknownOccasion",
    "UnknownOfferCustomer",
    "best_offers",
    "current_offers",
    "decide",
    "decisions_of",
    "do_occasion_sweep",
    "do_offer",
    "do_train_recs",
    "evaluate_store_baskets",
    "load_occasion_settings",
    "load_offer_policy",
    "load_recs_config",
    "occasion_kinds",
    "offer_once",
    "offer_results",
    "parse_offer_policy",
    "plan_occasions",
    "preview_offer",
    "read_announced",
    "read_intervals",
    "read_offer_facts",
    "read_top_intervals",
    "read_waits",
    "recommend",
    "recommendations_for_customers",
    "recs_kinds",
    "related_items",
    "start_occasion_sweep",
    "start_recs_training",
    "waiting_kinds",
]

_EXPORTS: dict[str, list[str]] = {
    "retentio.offers.occasions.announce": ["OFFER_DUE", "REPLENISHMENT_DUE", "Occasion as DueOccasion"],
    "retentio.offers.occasions.reads": [
        "read_announced",
        "read_intervals",
        "read_top_intervals",
        "read_waits",
    ],
    "retentio.offers.occasions.settings": [
        "OccasionSettings",
        "OccasionSettingsError",
        "load_occasion_settings",
    ],
    "retentio.offers.occasions.sweep": [
        "Plan",
        "SweepRun",
        "do_occasion_sweep",
        "occasion_kinds",
        "plan_occasions",
        "start_occasion_sweep",
    ],
    "retentio.offers.occasions.waiting": ["OccasionsConsumer", "waiting_kinds"],
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
    "retentio.offers.recs.business_rules": ["Recommendation", "Rules"],
    "retentio.offers.recs.config": ["RecsConfig", "RecsConfigError", "load_recs_config"],
    "retentio.offers.recs.email": ["recommendations_for_customers"],
    "retentio.offers.recs.refresh": ["TRAIN_JOB", "do_train_recs"],
    "retentio.offers.recs.schedule": ["recs_kinds", "start_recs_training"],
    "retentio.offers.recs.serving": [
        "CONTEXTS",
        "MAX_RECOMMENDATIONS",
        "MAX_SEED_SKUS",
        "RELATED_KINDS",
        "LoadedRecs",
        "RecsCache",
        "recommend",
        "related_items",
    ],
    "retentio.offers.recs.store_evaluation": ["evaluate_store_baskets"],
    "retentio.offers.recs.versions": ["ModelVersion"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
