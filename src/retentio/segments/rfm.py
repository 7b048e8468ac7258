"""RFM (SEG-1): quintile edges of the current base, scores 1-5 against stored edges, named segments.

Edges are values of the base at the last refresh (R as the instant of the last order, so "more recent
= higher" and no score decays by itself between refreshes). A customer's scores follow their own new
facts against the stored edges; only a refresh moves the edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import numpy.typing as npt

from retentio.segments.config import UNMATCHED_SEGMENT, RfmRule
from retentio.segments.inputs import CustomerInputs

QUANTILES = (0.2, 0.4, 0.6, 0.8)
Edges = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class RfmEdges:
    recency: Edges  # instants of the last order
    frequency: Edges  # orders
    monetary: Edges  # net revenue, minor units
    buyers: int


@dataclass(frozen=True, slots=True)
class RfmScores:
    recency: int
    frequency: int
    monetary: int

    @property
    def cell(self) -> str:
        return f"{self.recency}{self.frequency}{self.monetary}"


def quintile_edges(values: npt.NDArray[np.int64]) -> Edges:
    """The 20/40/60/80 % points, taken as values that occur (ties stay together)."""
    if values.size == 0:
        return (0, 0, 0, 0)
    points = np.quantile(values, QUANTILES, method="lower")
    first, second, third, fourth = (int(point) for point in points)
    return (first, second, third, fourth)


def score(value: int, edges: Edges) -> int:
    """1 + the number of edges the value is above: ties share a score."""
    return 1 + sum(1 for edge in edges if value > edge)


def rfm_scores(inputs: CustomerInputs, edges: RfmEdges | None) -> RfmScores | None:
    """Scores of a buyer; ``None`` for a customer with no counted order or before the first refresh."""
    if edges is None or inputs.orders < 1 or inputs.last_order_at is None:
        return None
    return RfmScores(
        recency=score(inputs.last_order_at, edges.recency),
        frequency=score(inputs.orders, edges.frequency),
        monetary=score(inputs.revenue_minor, edges.monetary),
    )


def segment_of(scores: RfmScores | None, rules: Sequence[RfmRule]) -> str | None:
    if scores is None:
        return None
    for rule in rules:
        if rule.matches(scores.recency, scores.frequency, scores.monetary):
            return rule.name
    return UNMATCHED_SEGMENT


def segment_cells(rules: Sequence[RfmRule]) -> dict[str, list[int]]:
    """Every score cell (r*100 + f*10 + m) by the segment the rules give it, for set-based SQL."""
    cells: dict[str, list[int]] = {}
    for recency, frequency, monetary in product(range(1, 6), repeat=3):
        name = segment_of(RfmScores(recency, frequency, monetary), rules)
        assert name is not None
        cells.setdefault(name, []).append(recency * 100 + frequency * 10 + monetary)
    return cells
