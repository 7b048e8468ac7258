"""The whole report of the base for a period and segment: every catalogue figure, the cohort matrix and
the built-in segment counts, as a frozen value and as a JSON-ready document.

In the document every figure is a number (or ``null`` when undefined): money and percentages rounded to
2 decimals, ratios and orders per customer to 4, counts whole; money is in ``currency``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Connection

from retentio.analytics.metrics.base import BaseFacts, MetricSettings, Period
from retentio.analytics.metrics.catalogue import CATALOGUE, METRICS, Metric, Unit
from retentio.analytics.metrics.cohorts import CohortMatrix, cohort_matrix
from retentio.analytics.metrics.facts import base_facts, report_currency
from retentio.analytics.metrics.margin import catalogue_margin_share
from retentio.analytics.metrics.orders_frame import OrdersFrame, load_orders_frame
from retentio.analytics.metrics.segment_filter import SegmentSelection
from retentio.analytics.metrics.standing import StandingCounts, standing_counts

DECIMALS = {Unit.MONEY: 2, Unit.PERCENT: 2, Unit.RATIO: 4, Unit.PER_CUSTOMER: 4, Unit.COUNT: 0}


@dataclass(frozen=True, slots=True)
class Figure:
    metric: Metric[Any]
    value: Decimal | None

    @property
    def rounded(self) -> Decimal | None:
        return None if self.value is None else round_to(self.value, DECIMALS[self.metric.unit])


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    as_of: datetime
    settings: MetricSettings
    segment: SegmentSelection | None
    facts: BaseFacts
    figures: tuple[Figure, ...]
    cohorts: CohortMatrix
    standing: StandingCounts

    @property
    def currency(self) -> str:
        return self.facts.currency

    def value(self, key: str) -> Decimal | None:
        return next(figure.value for figure in self.figures if figure.metric.key == key)


def measure(
    connection: Connection,
    period: Period,
    settings: MetricSettings | None = None,
    customer_ids: Iterable[str] | None = None,
) -> BaseFacts:
    """The base's facts for the period (and the given customers only): what every metric is computed of."""
    frame = load_orders_frame(connection, period, settings or MetricSettings(), customer_ids)
    return _facts(connection, frame)


def compute_metrics(
    connection: Connection,
    period: Period,
    settings: MetricSettings | None = None,
    customer_ids: Iterable[str] | None = None,
) -> dict[str, Decimal | None]:
    """Every catalogue metric for the period and customers, unrounded."""
    facts = measure(connection, period, settings, customer_ids)
    return {metric.key: metric.compute(facts) for metric in CATALOGUE}


def measure_split(
    connection: Connection, period: Period, settings: MetricSettings, customer_ids: Collection[str]
) -> tuple[BaseFacts, BaseFacts]:
    """The facts of ``customer_ids`` and of every other customer, from one read of the orders (a
    programme's members against the rest, say)."""
    frame = load_orders_frame(connection, period, settings)
    return _facts(connection, frame.restricted_to(customer_ids)), _facts(
        connection, frame.excluding(customer_ids)
    )


def compute_metric(
    connection: Connection,
    key: str,
    period: Period,
    settings: MetricSettings | None = None,
    customer_ids: Iterable[str] | None = None,
) -> Decimal | None:
    """One catalogue metric (``METRICS[key]``) for the period and customers, unrounded."""
    return METRICS[key].compute(measure(connection, period, settings, customer_ids))


def build_report(
    connection: Connection,
    period: Period,
    as_of: datetime,
    settings: MetricSettings | None = None,
    segment: SegmentSelection | None = None,
) -> Report:
    settings = settings or MetricSettings()
    members = segment.customer_ids if segment is not None else None
    frame = load_orders_frame(connection, period, settings, members)
    facts = _facts(connection, frame)
    return Report(
        period=period,
        as_of=as_of,
        settings=settings,
        segment=segment,
        facts=facts,
        figures=tuple(Figure(metric, metric.compute(facts)) for metric in CATALOGUE),
        cohorts=cohort_matrix(frame),
        standing=standing_counts(connection, members),
    )


def report_document(report: Report) -> dict[str, Any]:
    """The report as one JSON-ready object (``retentio report --json``)."""
    return {
        "period": {
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
            "days": report.period.days,
        },
        "as_of": report.as_of.isoformat(),
        "segment": _segment(report.segment),
        "currency": report.currency,
        "settings": {
            "base_window_days": report.settings.base_window_days,
            "mau_window_days": report.settings.mau_window_days,
            "discount_rate": float(report.settings.discount_rate),
            "margin_share": _number(report.facts.margin_share, 4),
        },
        "metrics": {figure.metric.key: _json_value(figure) for figure in report.figures},
        "definitions": {figure.metric.key: figure.metric.definition for figure in report.figures},
        "formulas": {figure.metric.key: figure.metric.formula for figure in report.figures},
        "units": {figure.metric.key: str(figure.metric.unit) for figure in report.figures},
        "cohorts": _cohorts(report.cohorts),
        "segments": {
            "rfm": report.standing.rfm,
            "lifecycle": report.standing.lifecycle,
            "ladder": report.standing.ladder,
            "bad_customers": report.standing.bad_customers,
        },
    }


def round_to(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def _facts(connection: Connection, frame: OrdersFrame) -> BaseFacts:
    margin = None
    if frame.settings.margin_share is None:
        margin = catalogue_margin_share(connection, frame.period, report_currency(frame))
    return base_facts(frame, margin)


def _number(value: Decimal | None, decimals: int) -> float | None:
    return None if value is None else float(round_to(value, decimals))


def _json_value(figure: Figure) -> float | int | None:
    if figure.rounded is None:
        return None
    return int(figure.rounded) if figure.metric.unit is Unit.COUNT else float(figure.rounded)


def _segment(segment: SegmentSelection | None) -> dict[str, Any] | None:
    if segment is None:
        return None
    return {"name": segment.name, "kind": segment.kind, "customers": len(segment.customer_ids)}


def _cohorts(matrix: CohortMatrix) -> dict[str, Any]:
    return {
        "unit": "month of the first order (UTC)",
        "months": {
            row.month: {
                "customers": row.customers,
                "active": list(row.active),
                "retention_rate": [_number(share, 2) for share in row.retention],
            }
            for row in matrix.rows
        },
    }
