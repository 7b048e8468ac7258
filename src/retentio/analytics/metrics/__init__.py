"""The base metrics (ANA-1, ANA-2, ANA-8): the catalogue, the facts they are computed from, cohorts and
the report. See docs/metrics.md for every definition."""

from retentio.analytics.metrics.base import BaseFacts, MetricSettings, Period
from retentio.analytics.metrics.catalogue import CATALOGUE, METRICS, Metric, Unit
from retentio.analytics.metrics.report import (
    Report,
    build_report,
    compute_metric,
    compute_metrics,
    measure,
    measure_split,
    report_document,
)

__all__ = [
    "CATALOGUE",
    "METRICS",
    "BaseFacts",
    "Metric",
    "MetricSettings",
    "Period",
    "Report",
    "Unit",
    "build_report",
    "compute_metric",
    "compute_metrics",
    "measure",
    "measure_split",
    "report_document",
]
