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
    from retentio.offers.occasions.announce import OFFER_DUE, REPLENISHMENT_DUE, Occasion
    from retentio.offers.occasions.reads import read_intervals, read_top_intervals, read_waits
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

__all__ = [
    "OFFER_DUE",
    "REPLENISHMENT_DUE",
    "Occasion",
    "OccasionSettings",
    "OccasionSettingsError",
    "OccasionsConsumer",
    "Plan",
    "SweepRun",
    "do_occasion_sweep",
    "load_occasion_settings",
    "occasion_kinds",
    "plan_occasions",
    "read_intervals",
    "read_top_intervals",
    "read_waits",
    "start_occasion_sweep",
    "waiting_kinds",
]

_EXPORTS: dict[str, list[str]] = {
    "retentio.offers.occasions.announce": ["OFFER_DUE", "REPLENISHMENT_DUE", "Occasion"],
    "retentio.offers.occasions.reads": ["read_intervals", "read_top_intervals", "read_waits"],
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
}
__getattr__ = load_on_use(__name__, _EXPORTS)
