"""Confidence limits of a proportion (Wilson score) and of a count (Byars, exact Poisson).

References
----------
Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
*J Am Stat Assoc* 22:209-212.

Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, Vol. II: The Design and
Analysis of Cohort Studies*. IARC Scientific Publications 82 (Byars' approximation, 1965 personal
communication, p. 69).

The exact Poisson limits use the chi-square relationship (Garwood 1936):
``lower = χ²_{(1−c)/2, 2x} / 2`` and ``upper = χ²_{c+(1−c)/2, 2x+2} / 2``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import chdtri

from hi_reports.errors import StatsError
from hi_reports.stats._confidence import (
    as_float_array,
    broadcast,
    parse_confidence,
    scalar_or_array,
    z_value,
)

__all__ = ["byars", "count_limits", "count_methods", "exact_poisson", "wilson"]


def _one_level(confidence: float) -> float:
    return parse_confidence(confidence, max_levels=1)[0]


def _check_counts(x: np.ndarray, name: str = "x") -> None:
    if np.any(x < 0):
        raise StatsError(f"{name}: observed events must all be greater than or equal to zero")


def _byars_lower(x: np.ndarray, z: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    lower = np.where(x == 0, 0.0, lower)
    return np.where(lower < 0, np.nan, lower)


def _byars_upper(x: np.ndarray, z: float) -> np.ndarray:
    x1 = x + 1
    upper: np.ndarray = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    return upper


def _exact_lower(x: np.ndarray, c: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        lower = chdtri(2 * x, c + (1 - c) / 2) / 2  # chdtri is the upper-tail inverse
    return np.where(x == 0, 0.0, lower)


def _exact_upper(x: np.ndarray, c: float) -> np.ndarray:
    upper: np.ndarray = chdtri(2 * x + 2, (1 - c) / 2) / 2
    return upper


def wilson(
    x: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Wilson score confidence limits of a proportion ``x / n``.

    ``(2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))`` with ``z = Φ⁻¹(c + (1 − c)/2)``
    (Wilson 1927). At ``confidence = 1`` the limits are 0 and 1.

    Parameters
    ----------
    x
        Numerators (events); need not be integers. Missing values give missing limits.
    n
        Denominators, broadcast against ``x``.
    confidence
        Confidence level, ``0.95`` or ``95`` style, between 0.9 and 1.

    Returns
    -------
    lower, upper
        Limits on the 0-1 scale (floats for scalar input, arrays otherwise).

    Raises
    ------
    StatsError
        If ``x < 0``, ``n < 0``, ``x > n``, the lengths differ or the level is out of range.

    Examples
    --------
    >>> lo, hi = wilson(65, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.5525, 0.7364)
    """
    c = _one_level(confidence)
    xa, na = broadcast("x", as_float_array(x, "x"), "n", as_float_array(n, "n"))
    _check_counts(xa)
    if np.any(na < 0):
        raise StatsError("n: sample sizes must all be greater than zero")
    if np.any(xa > na):
        raise StatsError(
            "x: numerators must be less than or equal to denominator for a Wilson score to be "
            "calculated"
        )
    if c == 1:
        nan = np.isnan(xa) | np.isnan(na)
        return (
            scalar_or_array(np.where(nan, np.nan, 0.0)),
            scalar_or_array(np.where(nan, np.nan, 1.0)),
        )
    z = z_value(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = z * np.sqrt(z**2 + 4 * xa * (1 - xa / na))
        denom = 2 * (na + z**2)
        lower = (2 * xa + z**2 - root) / denom
        upper = (2 * xa + z**2 + root) / denom
    return scalar_or_array(lower), scalar_or_array(upper)


def byars(x: ArrayLike, confidence: float = 0.95) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Byars' approximation to the exact Poisson confidence limits of a count.

    ``lower = x(1 − 1/(9x) − z/(3√x))³`` (missing when negative; 0 when ``x = 0``) and
    ``upper = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³`` (Byars 1965, via Breslow & Day 1987).

    Parameters
    ----------
    x
        Observed counts (>= 0).
    confidence
        Confidence level, ``0.95`` or ``95`` style.

    Returns
    -------
    lower, upper
        Limits of the count.

    Examples
    --------
    >>> lo, hi = byars(65)
    >>> round(lo, 3), round(hi, 3)
    (50.163, 82.849)
    """
    c = _one_level(confidence)
    xa = as_float_array(x, "x")
    _check_counts(xa)
    z = z_value(c)
    return scalar_or_array(_byars_lower(xa, z)), scalar_or_array(_byars_upper(xa, z))


def exact_poisson(
    x: ArrayLike, confidence: float = 0.95
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Exact (chi-square based) Poisson confidence limits of a count.

    ``lower = χ²⁻¹((1 − c)/2; 2x)/2`` (0 when ``x = 0``) and
    ``upper = χ²⁻¹(c + (1 − c)/2; 2x + 2)/2`` (Garwood 1936; the method of Breslow & Day 1987 used
    by PHEindicatormethods below 10 events).

    Parameters
    ----------
    x
        Observed counts (>= 0).
    confidence
        Confidence level, ``0.95`` or ``95`` style.

    Returns
    -------
    lower, upper
        Limits of the count.

    Examples
    --------
    >>> lo, hi = exact_poisson(5)
    >>> round(lo, 4), round(hi, 4)
    (1.6235, 11.6683)
    """
    c = _one_level(confidence)
    xa = as_float_array(x, "x")
    _check_counts(xa)
    return scalar_or_array(_exact_lower(xa, c)), scalar_or_array(_exact_upper(xa, c))


def count_limits(
    x: ArrayLike, confidence: float = 0.95, threshold: float = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Limits of counts as phe_rate: exact below ``threshold`` events, Byars from it on.

    Parameters
    ----------
    x
        Observed counts (>= 0); missing values give missing limits and method.
    confidence
        Confidence level.
    threshold
        Counts below this use the exact method.

    Returns
    -------
    lower, upper, method
        Arrays; ``method`` holds ``"Exact"``, ``"Byars"`` or ``None``.
    """
    c = _one_level(confidence)
    xa = np.atleast_1d(as_float_array(x, "x"))
    _check_counts(xa)
    z = z_value(c)
    exact = xa < threshold
    lower = np.where(exact, _exact_lower(xa, c), _byars_lower(xa, z))
    upper = np.where(exact, _exact_upper(xa, c), _byars_upper(xa, z))
    return lower, upper, count_methods(xa, threshold)


def count_methods(x: np.ndarray, threshold: float = 10) -> np.ndarray:
    """The method of :func:`count_limits` for each count: ``"Exact"`` below ``threshold``,
    ``"Byars"`` from it on, ``None`` for a missing count (an object array)."""
    method = np.where(x < threshold, "Exact", "Byars").astype(object)
    method[np.isnan(x)] = None
    return method
