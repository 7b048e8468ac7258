"""BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after every purchase
they drop out with probability p ~ Beta(a, b). From each customer's (frequency, recency, age) —
x, t_x and T in the paper — the model estimates how likely they are to still be active and how
many purchases to expect from them.

Fitting maximises the closed-form log-likelihood (paper eq. 6) over log-parameters, so the
optimiser never has to respect positivity, with the analytic gradient so L-BFGS-B needs few
evaluations. Customers with identical (x, t_x, T) share one likelihood term weighted by their
count: with day-level data most customers collapse into a few thousand distinct rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

_LOG_BOUND = 15.0  # parameters stay within e^±15; beyond that the data say nothing anyway


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters and the total log-likelihood they reach on the fitting data.

    ``r``, ``alpha`` shape and scale the purchase-rate gamma; ``a``, ``b`` the dropout beta.
    ``alpha`` is in the time unit of the data it was fitted on (weeks fit → weeks predict).
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


@dataclass(frozen=True)
class _Customers:
    """Validated model inputs: x, t_x, T, and how many customers each row stands for."""

    frequency: NDArray[np.float64]
    recency: NDArray[np.float64]
    age: NDArray[np.float64]
    weights: NDArray[np.float64]


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters for customers' (frequency, recency, age = T).

    Raises ``ValueError`` on invalid input and ``RuntimeError`` if the optimiser cannot find a
    finite likelihood.
    """
    customers = _aggregate(_validated(frequency, recency, age))
    total = float(customers.weights.sum())

    def objective(log_params: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        value, gradient = _weighted_log_likelihood_and_gradient(np.exp(log_params), customers)
        return -value / total, -gradient / total

    result = optimize.minimize(
        objective,
        _starting_log_params(customers),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 4,
    )
    r, alpha, a, b = (float(value) for value in np.exp(result.x))
    log_likelihood = -float(result.fun) * total
    if not np.isfinite(log_likelihood):
        raise RuntimeError(f"BG/NBD fit failed: {result.message}")
    return BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=log_likelihood)


def bgnbd_log_likelihood(
    params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """Each customer's log-likelihood under ``params`` (paper eq. 6); sum it for the total."""
    base, odds = _likelihood_parts(_as_array(params), _validated(frequency, recency, age))
    return np.asarray(base + np.logaddexp(0.0, odds), dtype=np.float64)


def probability_alive(
    params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> NDArray[np.float64]:
    """P(still active at T | x, t_x, T) (paper eq. 11); 1 for customers with no repeat purchase.

    BG/NBD lets customers drop out only right after a purchase, so someone who never came back
    cannot have left yet; that is a known quirk of the model, not a bug.
    """
    odds = _log_dropout_odds(_as_array(params), _validated(frequency, recency, age))
    return np.asarray(special.expit(-odds), dtype=np.float64)


def conditional_expected_purchases(
    params: BgNbdParams,
    horizon: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> NDArray[np.float64]:
    """Expected purchases in the next ``horizon`` periods given each customer's history (eq. 10).

    ``horizon`` broadcasts against the customers: pass a column (shape ``(k, 1)``) to get a
    ``(k, n)`` table of cumulative expectations at ``k`` horizons.
    """
    customers = _validated(frequency, recency, age)
    t = np.asarray(horizon, dtype=np.float64)
    if (t < 0).any():
        raise ValueError("horizon must be non-negative")
    x, r, a, b = customers.frequency, params.r, _away_from_one(params.a), params.b
    scale = params.alpha + customers.age
    remaining = 1.0 - (scale / (scale + t)) ** (r + x) * special.hyp2f1(
        r + x, b + x, a + b + x - 1.0, t / (scale + t)
    )
    alive = special.expit(-_log_dropout_odds(_as_array(params), customers))
    return np.asarray((a + b + x - 1.0) / (a - 1.0) * remaining * alive, dtype=np.float64)


def expected_purchases_new_customer(params: BgNbdParams, horizon: ArrayLike) -> NDArray[np.float64]:
    """E[X(t)]: expected purchases of a just-acquired customer in ``horizon`` periods (eq. 9)."""
    t = np.asarray(horizon, dtype=np.float64)
    if (t < 0).any():
        raise ValueError("horizon must be non-negative")
    r, alpha, a, b = params.r, params.alpha, _away_from_one(params.a), params.b
    remaining = 1.0 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1.0, t / (alpha + t))
    return np.asarray((a + b - 1.0) / (a - 1.0) * remaining, dtype=np.float64)


def _away_from_one(a: float) -> float:
    """Shift a = 1 by 1e-7: eqs. 9-10 have a removable 0/0 there that floats cannot divide."""
    return a if abs(a - 1.0) > 1e-7 else 1.0 + 1e-7


def _as_array(params: BgNbdParams) -> NDArray[np.float64]:
    """(r, alpha, a, b) as the vector the likelihood helpers work on."""
    return np.array([params.r, params.alpha, params.a, params.b])


def _validated(frequency: ArrayLike, recency: ArrayLike, age: ArrayLike) -> _Customers:
    """Check the three columns describe real customers: aligned, finite, 0 ≤ t_x ≤ T, x whole."""
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    t_cal = np.asarray(age, dtype=np.float64)
    if x.ndim != 1 or x.shape != t_x.shape or x.shape != t_cal.shape:
        raise ValueError(
            "frequency, recency and age must be one-dimensional and of the same length, got "
            f"shapes {x.shape}, {t_x.shape} and {t_cal.shape}"
        )
    if len(x) == 0:
        raise ValueError("no customers: frequency, recency and age are empty")
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(t_cal).all()):
        raise ValueError("frequency, recency and age must be finite")
    if (x < 0).any() or (x != np.round(x)).any():
        raise ValueError("frequency must be a non-negative whole number of repeat purchases")
    if (t_x < 0).any() or (t_x > t_cal).any():
        raise ValueError("recency must lie between 0 and age (T)")
    if (t_x[x == 0] != 0).any():
        raise ValueError("recency must be 0 for customers with no repeat purchase")
    return _Customers(x, t_x, t_cal, np.ones_like(x))


def _aggregate(customers: _Customers) -> _Customers:
    """Merge customers with identical (x, t_x, T) into one row weighted by their count."""
    rows = np.column_stack([customers.frequency, customers.recency, customers.age])
    unique_rows, counts = np.unique(rows, axis=0, return_counts=True)
    return _Customers(unique_rows[:, 0], unique_rows[:, 1], unique_rows[:, 2], counts.astype(np.float64))


def _starting_log_params(customers: _Customers) -> NDArray[np.float64]:
    """Start where a no-dropout NBD would be: r = 1 and α matching the mean purchase rate."""
    purchases = float(customers.frequency @ customers.weights)
    time_watched = float(customers.age @ customers.weights)
    alpha = min(max(time_watched / max(purchases, 1.0), 1e-3), 1e3)  # r / alpha = mean rate
    return np.asarray(np.log([1.0, alpha, 1.0, 1.0]), dtype=np.float64)


def _likelihood_parts(
    params: NDArray[np.float64], customers: _Customers
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Eq. 6 as log L = base + log(1 + e^odds), with ``odds`` the log dropout odds of eq. 11.

    Written this way the "dropped out right after t_x" branch is a log-odds added to the
    "still alive" branch, which stays finite for any data and gives a simple gradient.
    """
    r, alpha, a, b = params
    x, t_cal = customers.frequency, customers.age
    base = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.betaln(a, b + x)
        - special.betaln(a, b)
        - (r + x) * np.log(alpha + t_cal)
    )
    return base, _log_dropout_odds(params, customers)


def _log_dropout_odds(params: NDArray[np.float64], customers: _Customers) -> NDArray[np.float64]:
    """log of P(dropped out at t_x) / P(alive at T); -inf when x = 0 (no chance to drop out)."""
    r, alpha, a, b = params
    x, t_x, t_cal = customers.frequency, customers.recency, customers.age
    repeat = x > 0
    odds = np.full_like(x, -np.inf)
    odds[repeat] = (
        np.log(a)
        - np.log(b + x[repeat] - 1.0)
        + (r + x[repeat]) * (np.log(alpha + t_cal[repeat]) - np.log(alpha + t_x[repeat]))
    )
    return odds


def _weighted_log_likelihood_and_gradient(
    params: NDArray[np.float64], customers: _Customers
) -> tuple[float, NDArray[np.float64]]:
    """Total log-likelihood and its gradient with respect to the *log*-parameters."""
    r, alpha, a, b = params
    x, t_x, t_cal = customers.frequency, customers.recency, customers.age
    base, odds = _likelihood_parts(params, customers)
    share_dropout = special.expit(odds)  # posterior weight of "dropped out right after t_x"
    digamma_ab = special.digamma(a + b) - special.digamma(a + b + x)
    inverse_b_term = np.divide(1.0, b + x - 1.0, out=np.zeros_like(x), where=x > 0)
    d_r = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        - np.log(alpha + t_cal)
        + share_dropout * (np.log(alpha + t_cal) - np.log(alpha + t_x))
    )
    d_alpha = (
        r / alpha
        - (r + x) / (alpha + t_cal)
        + share_dropout * (r + x) * (1.0 / (alpha + t_cal) - 1.0 / (alpha + t_x))
    )
    d_a = digamma_ab + share_dropout / a
    d_b = digamma_ab + special.digamma(b + x) - special.digamma(b) - share_dropout * inverse_b_term
    weights = customers.weights
    gradient = np.array([d_r @ weights, d_alpha @ weights, d_a @ weights, d_b @ weights])
    value = float((base + np.logaddexp(0.0, odds)) @ weights)
    return value, gradient * params
