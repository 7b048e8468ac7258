"""BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after every purchase
they drop out with probability p ~ Beta(a, b). From each customer's (frequency, recency, age) —
x, t_x and T in the paper — the model estimates how likely they are to still be active and how
many purchases to expect from them.

Fitting maximises the closed-form log-likelihood (paper eq. 6) over log-parameters, so the
optimiser never has to respect positivity, with the analytic gradient so L-BFGS-B needs few
evaluations. Customers with identical (x, t_x, T) share one likelihood term weighted by their
count: the 23,570 CDNOW customers collapse into 11,104 rows, the 1/10 sample into 1,016.
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
    t = _horizon(horizon)
    bought = _purchases_while_alive(params, customers.frequency, params.alpha + customers.age, t)
    alive = special.expit(-_log_dropout_odds(_as_array(params), customers))
    return np.asarray(bought * alive, dtype=np.float64)


def expected_purchases_new_customer(params: BgNbdParams, horizon: ArrayLike) -> NDArray[np.float64]:
    """E[X(t)]: expected purchases of a just-acquired customer in ``horizon`` periods (eq. 9)."""
    return _purchases_while_alive(params, np.zeros(()), np.full((), params.alpha), _horizon(horizon))


def _horizon(horizon: ArrayLike) -> NDArray[np.float64]:
    """Horizons as floats, refusing negative ones (there is no expected past)."""
    t = np.asarray(horizon, dtype=np.float64)
    if not np.isfinite(t).all() or (t < 0).any():
        raise ValueError("horizon must be finite and non-negative")
    return t


def _purchases_while_alive(
    params: BgNbdParams,
    frequency: NDArray[np.float64],
    scale: NDArray[np.float64],
    t: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The first factor of eq. 10 (eq. 9 when x = 0 and scale = α), in a stable form.

    The paper writes it with (1-z)^(r+x) · 2F1(r+x, b+x; a+b+x-1; z), z = t / (scale + t).
    When a - 1 - r - x < 0 that series diverges as z → 1 (long horizons, frequent buyers) and
    the product is an underflowing power times an overflowing series. Euler's transformation
    gives the same value as (1-z)^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z), whose series then
    converges at z = 1; each customer gets whichever of the two forms converges.
    """
    r, a, b = params.r, _away_from_one(params.a), params.b
    x, z, still_out = np.broadcast_arrays(frequency, t / (scale + t), scale / (scale + t))
    # c = a+b+x-1 multiplies a series with a pole at c = 0 (a + b = 1, no repeat purchase): the
    # product has a finite limit there, which a shift of 1e-7 reaches as _away_from_one does for a.
    c = a + b + x - 1.0
    c = np.where(np.abs(c) > 1e-7, c, 1e-7)
    euler = r + x - a + 1.0 >= 0
    with np.errstate(over="ignore", invalid="ignore"):
        product = still_out ** np.where(euler, a - 1.0, r + x) * special.hyp2f1(
            np.where(euler, a + b - 1.0 - r, r + x),
            np.where(euler, a - 1.0, b + x),
            c,
            z,
        )
    failed = ~np.isfinite(product) & (c > 0)
    if failed.any():  # scipy's hyp2f1 gives up for some large parameters: sum the series
        product = np.array(product, dtype=np.float64)
        product[failed] = np.exp(
            (r + x[failed]) * np.log(still_out[failed])
            + _log_positive_series(r + x[failed], b + x[failed], c[failed], z[failed])
        )
    expected = c / (a - 1.0) * (1.0 - product)
    # 1 - (≈1) can round a hair below zero
    return np.asarray(np.maximum(expected, 0.0), dtype=np.float64)


def _log_positive_series(
    upper_a: NDArray[np.float64],
    upper_b: NDArray[np.float64],
    lower: NDArray[np.float64],
    z: NDArray[np.float64],
) -> NDArray[np.float64]:
    """log 2F1(A, B; C; z) for A, B, C > 0 and 0 ≤ z < 1, summing the series in log space.

    With positive parameters every term is positive, so adding them up loses nothing to
    cancellation; working in logs keeps huge intermediate terms representable. Terms are taken
    in chunks until the next one no longer changes the sum (at most a million terms).
    """
    chunk = 4096
    total = np.zeros_like(z)  # log of the running sum; the n = 0 term is 1
    log_term = np.zeros_like(z)
    log_z = np.log(np.maximum(z, np.finfo(np.float64).tiny))[:, np.newaxis]
    for start in range(0, 1_000_000, chunk):
        n = np.arange(start, start + chunk, dtype=np.float64)
        steps = (
            np.log(upper_a[:, np.newaxis] + n)
            + np.log(upper_b[:, np.newaxis] + n)
            - np.log(lower[:, np.newaxis] + n)
            - np.log1p(n)
            + log_z
        )
        logs = log_term[:, np.newaxis] + np.cumsum(steps, axis=1)
        total = np.logaddexp(total, special.logsumexp(logs, axis=1))
        log_term = logs[:, -1]
        if ((log_term - total < -40) & (steps[:, -1] < 0)).all():
            break
    return total


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
    columns = (customers.frequency, customers.recency, customers.age)
    order = np.lexsort(columns[::-1])
    x, t_x, t_cal = (column[order] for column in columns)
    changed = (np.diff(x) != 0) | (np.diff(t_x) != 0) | (np.diff(t_cal) != 0)
    starts = np.flatnonzero(np.r_[True, changed])
    counts = np.diff(np.r_[starts, len(x)]).astype(np.float64)
    return _Customers(x[starts], t_x[starts], t_cal[starts], counts)


def _starting_log_params(customers: _Customers) -> NDArray[np.float64]:
    """Start where a no-dropout NBD would be: r = 1 and α matching the mean purchase rate."""
    purchases = float((customers.frequency * customers.weights).sum())
    time_watched = float((customers.age * customers.weights).sum())
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
    # weighted sums by multiply-and-add rather than `@`: BLAS threads spin-waiting on a busy
    # machine made the dot products of this tiny problem ten times slower
    gradient = (np.stack([d_r, d_alpha, d_a, d_b]) * weights).sum(axis=1)
    value = float(((base + np.logaddexp(0.0, odds)) * weights).sum())
    return value, gradient * params
