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
    "BaseFacts",
    "ClvFitOptions",
    "ClvFitResult",
    "ClvModelError",
    "Figure",
    "Metric",
    "MetricSettings",
    "Period",
    "Report",
    "Unit",
    "UnknownSegment",
    "build_report",
    "do_fit_clv_models",
    "get_prediction",
    "measure_split",
    "report_document",
    "resolve_segment",
    "round_to",
]

_EXPORTS = {
    "retentio.analytics.clv_models": ["ClvModelError"],
    "retentio.analytics.clv_queries": ["get_prediction"],
    "retentio.analytics.clv_store": ["ClvFitOptions", "ClvFitResult", "do_fit_clv_models"],
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
