"""A programme's figures for a period, as a value and as a JSON-ready document (``retentio loyalty
report``, and the loyalty part of ``retentio report`` and of the demo's report)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from retentio.analytics import Figure, MetricSettings, Period, Unit
from retentio.loyalty.metrics.catalogue import LOYALTY_CATALOGUE
from retentio.loyalty.metrics.facts import LoyaltyFacts, loyalty_facts
from retentio.loyalty.programmes.settings import LoyaltyConfig, Programme


@dataclass(frozen=True, slots=True)
class LoyaltyReport:
    period: Period
    facts: LoyaltyFacts
    figures: tuple[Figure, ...]

    @property
    def programme(self) -> Programme:
        return self.facts.programme

    def value(self, key: str) -> Decimal | None:
        return next(figure.value for figure in self.figures if figure.metric.key == key)


def build_loyalty_report(
    connection: Connection, programme: Programme, period: Period, settings: MetricSettings | None = None
) -> LoyaltyReport:
    facts = loyalty_facts(connection, programme, period, settings)
    figures = tuple(Figure(metric, metric.compute(facts)) for metric in LOYALTY_CATALOGUE)
    return LoyaltyReport(period, facts, figures)


def build_loyalty_reports(
    connection: Connection, config: LoyaltyConfig, period: Period, settings: MetricSettings | None = None
) -> tuple[LoyaltyReport, ...]:
    """Every programme of the settings file, in its order."""
    return tuple(
        build_loyalty_report(connection, programme, period, settings)
        for programme in config.programmes.values()
    )


def loyalty_report_document(report: LoyaltyReport) -> dict[str, Any]:
    return {
        "programme": report.programme.id,
        "name": report.programme.name,
        "currency": report.programme.currency,
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "metrics": {figure.metric.key: _json_value(figure) for figure in report.figures},
        "definitions": {figure.metric.key: figure.metric.definition for figure in report.figures},
        "formulas": {figure.metric.key: figure.metric.formula for figure in report.figures},
        "units": {figure.metric.key: str(figure.metric.unit) for figure in report.figures},
    }


def _json_value(figure: Figure) -> float | int | None:
    if figure.rounded is None:
        return None
    return int(figure.rounded) if figure.metric.unit is Unit.COUNT else float(figure.rounded)
