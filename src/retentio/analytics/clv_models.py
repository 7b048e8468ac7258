"""BG/NBD + Gamma-Gamma from one :class:`RfmSummary` to per-customer predictions. Pure, no I/O.

This is the glue between the summary and the two models that ``retentio models fit`` runs: which
customers each model learns from, and what every customer gets predicted.

- BG/NBD learns from every customer in the summary.
- Gamma-Gamma learns from the repeat buyers whose repeat purchases are worth more than zero (a
  customer whose repeat orders were all free or fully returned has no spend to learn from; the
  model's likelihood is undefined at zero).
- Every customer is then predicted, one-time buyers included: their expected spend per purchase
  is the population mean p·γ / (q − 1), as the Gamma-Gamma model itself says (no history to
  shrink towards), and repeat buyers get their own average shrunk towards that mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retentio.analytics.bgnbd import (
    BgNbdParams,
    conditional_expected_purchases,
    fit_bgnbd,
    probability_alive,
)
from retentio.analytics.gamma_gamma import GammaGammaParams, customer_lifetime_value, fit_gamma_gamma
from retentio.analytics.rfm_summary import RfmSummary

STORED_HORIZON_DAYS = 90  # customer_predictions.expected_purchases_90d


class ClvModelError(ValueError):
    """The data cannot support the models; the message says why in a marketer's words."""


@dataclass(frozen=True)
class CustomerPredictions:
    """Aligned arrays, one element per customer of the summary (ascending customer id).

    ``expected_purchases`` covers the chosen horizon, ``expected_purchases_90d`` always 90 days
    (that is what the predictions table stores); ``predicted_value`` is the expected spend over
    the CLV horizon, undiscounted, in the currency of the transactions.
    """

    customer_ids: NDArray[Any]
    p_alive: NDArray[np.float64]
    expected_purchases: NDArray[np.float64]
    expected_purchases_90d: NDArray[np.float64]
    predicted_value: NDArray[np.float64]


def fit_purchases(summary: RfmSummary) -> BgNbdParams:
    """BG/NBD on every summarised customer."""
    try:
        return fit_bgnbd(summary.frequency, summary.recency, summary.age)
    except (ValueError, RuntimeError) as error:
        raise ClvModelError(f"the purchase model (BG/NBD) cannot be fitted: {error}") from error


def spend_learners(summary: RfmSummary) -> NDArray[np.bool_]:
    """Which customers the spend model learns from: repeat buyers with positive average spend."""
    return np.asarray((summary.frequency > 0) & (summary.monetary_value > 0), dtype=np.bool_)


def fit_spend(summary: RfmSummary) -> GammaGammaParams:
    """Gamma-Gamma on the repeat buyers with positive spend; refuses a base without any."""
    learners = spend_learners(summary)
    if not learners.any():
        raise ClvModelError(
            "no customer bought on two different days with a positive amount: "
            "the spend model (Gamma-Gamma) has nothing to learn from"
        )
    try:
        params = fit_gamma_gamma(summary.frequency[learners], summary.monetary_value[learners])
    except (ValueError, RuntimeError) as error:
        raise ClvModelError(f"the spend model (Gamma-Gamma) cannot be fitted: {error}") from error
    if params.q <= 1:
        raise ClvModelError(
            f"the spend model found q = {params.q:.3g} ≤ 1: spend varies so much between customers "
            "that the average spend per purchase is unbounded, so no predicted value can be given"
        )
    return params


def predict_customers(
    summary: RfmSummary,
    purchases: BgNbdParams,
    spend: GammaGammaParams,
    *,
    horizon_days: float,
    clv_months: int,
) -> CustomerPredictions:
    """P(alive), expected purchases (horizon and 90 days) and predicted value for every customer."""
    columns = (summary.frequency, summary.recency, summary.age)
    horizons = np.array([[horizon_days], [STORED_HORIZON_DAYS]]) / summary.unit_days
    expected = conditional_expected_purchases(purchases, horizons, *columns)
    return CustomerPredictions(
        customer_ids=summary.customer_ids,
        p_alive=probability_alive(purchases, *columns),
        expected_purchases=expected[0],
        expected_purchases_90d=expected[1],
        predicted_value=customer_lifetime_value(purchases, spend, summary, months=clv_months),
    )
