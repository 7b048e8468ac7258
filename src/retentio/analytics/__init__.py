"""Reading the base: the metric catalogue and report (retention, churn, repeat purchases, frequency,
order value, activity, CLV, cohorts; see docs/metrics.md), and the CLV models (BG/NBD and
Gamma-Gamma) fitted on the store's orders, with every customer's predictions.

This package is the area's facade: other areas import these names from ``retentio.analytics``, never
its modules (``lint-imports`` checks it). Each name loads its module on first use
(``retentio.facade``): the metrics run on Polars and the CLV models on SciPy, and no command needs
both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.analytics.clv_models import ClvModelError
    from retentio.analytics.clv_queries import get_prediction
    from retentio.analytics.clv_store import ClvFitOptions, ClvFitResult, do_fit_clv_models
    from retentio.analytics.experiments.assign import HOLDOUT, assign_arm, unit_position
    from retentio.analytics.experiments.compare import ArmResult, compare_arms
    from retentio.analytics.experiments.compare import Outcome as ExperimentOutcome
    from retentio.analytics.experiments.stats import (
        Interval,
        anytime_difference,
        mean_interval,
        newcombe_difference,
        welch_difference,
        wilson,
    )
    from retentio.analytics.metrics import (
        BaseFacts,
        Metric,
        MetricSettings,
        Period,
        Report,
        Unit,
        build_report,
        measure_split,
        report_document,
    )
    from retentio.analytics.metrics.report import Figure, round_to
    from retentio.analytics.metrics.segment_filter import UnknownSegment, resolve_segment

__all__ = [
    "HOLDOUT",
    "ArmResult",
    "BaseFacts",
    "ClvFitOptions",
    "ClvFitResult",
    "ClvModelError",
    "ExperimentOutcome",
    "Figure",
    "Interval",
    "Metric",
    "MetricSettings",
    "Period",
    "Report",
    "Unit",
    "UnknownSegment",
    "anytime_difference",
    "assign_arm",
    "build_report",
    "compare_arms",
    "do_fit_clv_models",
    "get_prediction",
    "mean_interval",
    "measure_split",
    "newcombe_difference",
    "report_document",
    "resolve_segment",
    "round_to",
    "unit_position",
    "welch_difference",
    "wilson",
]

_EXPORTS = {
    "retentio.analytics.clv_models": ["ClvModelError"],
    "retentio.analytics.clv_queries": ["get_prediction"],
    "retentio.analytics.clv_store": ["ClvFitOptions", "ClvFitResult", "do_fit_clv_models"],
    "retentio.analytics.experiments.assign": ["HOLDOUT", "assign_arm", "unit_position"],
    "retentio.analytics.experiments.compare": ["ArmResult", "compare_arms", "Outcome as ExperimentOutcome"],
    "retentio.analytics.experiments.stats": [
        "Interval",
        "anytime_difference",
        "mean_interval",
        "newcombe_difference",
        "welch_difference",
        "wilson",
    ],
    "retentio.analytics.metrics": [
        "BaseFacts",
        "Metric",
        "MetricSettings",
        "Period",
        "Report",
        "Unit",
        "build_report",
        "measure_split",
        "report_document",
    ],
    "retentio.analytics.metrics.report": ["Figure", "round_to"],
    "retentio.analytics.metrics.segment_filter": ["UnknownSegment", "resolve_segment"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
