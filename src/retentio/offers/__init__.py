"""Personal offers: the recommenders (trained in batch, stored as versioned models, served per
customer and context), replenishment and the occasions that make an offer due, and the offer policy
that decides what, if anything, a customer is offered and how much.

This package is the area's facade: other areas import these names from ``retentio.offers``, never
its modules (``lint-imports`` checks it). Each name loads its module on first use
(``retentio.facade``): training needs NumPy, SciPy and ``implicit``, which reading an offer does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
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
    "RELATED_KINDS",
    "TRAIN_JOB",
    "LoadedRecs",
    "ModelVersion",
    "Recommendation",
    "RecsCache",
    "RecsConfig",
    "RecsConfigError",
    "Rules",
    "do_train_recs",
    "evaluate_store_baskets",
    "load_recs_config",
    "recommend",
    "recommendations_for_customers",
    "recs_kinds",
    "related_items",
    "start_recs_training",
]

_EXPORTS = {
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
