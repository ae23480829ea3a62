"""Proportions and crude rates with confidence limits, as phe_proportion and phe_rate.

Proportions use Wilson score limits (Wilson 1927). Crude rates use exact Poisson limits below 10
events and Byars' approximation from 10 events on (Byars 1965, via Breslow & Day 1987).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hi_reports.errors import StatsError
from hi_reports.stats._confidence import (
    as_float_array,
    broadcast,
    level_label,
    level_suffix,
    parse_confidence,
)
from hi_reports.stats.intervals import count_limits, count_methods, wilson

__all__ = ["proportion", "rate"]

_PROPORTION_CONFIDENCE = (
    "confidence level, if specified, must be between 90 and 100 or between 0.9 and 1"
)


def _index_of(*values: object) -> pd.Index | None:
    for v in values:
        if isinstance(v, pd.Series):
            return v.index
    return None


def _inputs(x: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    xa, na = broadcast("x", as_float_array(x, "x"), "n", as_float_array(n, "n"))
    return np.atleast_1d(xa), np.atleast_1d(na), _index_of(x, n)


def _check_multiplier(multiplier: float) -> float:
    try:
        m = float(multiplier)
    except (TypeError, ValueError):
        raise StatsError(f"multiplier: must be a number (got {multiplier!r})") from None
    if not np.isfinite(m) or m == 0:
        raise StatsError(f"multiplier: must be a finite non-zero number (got {multiplier!r})")
    return m


def _frame(
    value: np.ndarray,
    limits: list[tuple[float, np.ndarray, np.ndarray]],
    method: object,
    index: pd.Index | None,
    statistic: str,
) -> pd.DataFrame:
    cols: dict[str, object] = {"value": value}
    for level, lower, upper in limits:
        suffix = "" if len(limits) == 1 else "_" + level_suffix(level)
        cols["lower" + suffix] = lower
        cols["upper" + suffix] = upper
    cols["method"] = method
    out = pd.DataFrame(cols, index=index)
    out.attrs["statistic"] = statistic
    out.attrs["confidence"] = level_label([lv for lv, _, _ in limits]) if limits else None
    return out


def proportion(
    x: ArrayLike,
    n: ArrayLike,
    multiplier: float = 1,
    confidence: float | Sequence[float] | None = 0.95,
) -> pd.DataFrame:
    """Proportions with Wilson score confidence limits, as PHEindicatormethods ``phe_proportion``.

    ``value = x/n·multiplier``; limits are the Wilson (1927) score limits times ``multiplier``.

    Parameters
    ----------
    x
        Numerators (>= 0, <= n). Missing values give missing outputs.
    n
        Denominators (> 0), same length as ``x``.
    multiplier
        1 for a proportion, 100 for a percentage.
    confidence
        A level (``0.95`` or ``95``), the pair ``(0.95, 0.998)``, or ``None`` for no limits.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, lower, upper, method`` ("Wilson"); with two levels the limit columns are
        ``lower_95_0, upper_95_0, lower_99_8, upper_99_8``. The index is that of ``x`` (or ``n``)
        when it is a Series. ``attrs`` holds ``statistic`` and ``confidence``.

    Raises
    ------
    StatsError
        For negative numerators, non-positive denominators, ``x > n``, mismatched lengths or a bad
        confidence level (messages as phe_proportion).

    Examples
    --------
    >>> proportion([65], [100])["upper"].round(4).tolist()
    [0.7364]
    """
    xa, na, index = _inputs(x, n)
    m = _check_multiplier(multiplier)
    levels = (
        ()
        if confidence is None
        else parse_confidence(confidence, message=_PROPORTION_CONFIDENCE, restrict_pair=True)
    )
    if np.any(xa < 0):
        raise StatsError("x: numerators must be greater than or equal to zero")
    if np.any(na <= 0):
        raise StatsError("n: denominators must be greater than zero")
    if np.any(xa > na):
        raise StatsError(
            "x: numerators must be less than or equal to denominator for a proportion statistic"
        )
    value = xa / na * m
    limits = []
    for level in levels:
        lower, upper = wilson(xa, na, level)
        limits.append((level, np.asarray(lower) * m, np.asarray(upper) * m))
    statistic = (
        "proportion of 1" if m == 1 else "percentage" if m == 100 else f"proportion of {m:g}"
    )
    return _frame(value, limits, "Wilson", index, statistic)


def rate(
    x: ArrayLike,
    n: ArrayLike,
    multiplier: float = 100_000,
    confidence: float | Sequence[float] | None = 0.95,
) -> pd.DataFrame:
    """Crude rates with Poisson confidence limits, as PHEindicatormethods ``phe_rate``.

    ``value = x/n·multiplier``. Limits are ``limit(x)/n·multiplier`` where ``limit`` is the exact
    Poisson limit when ``x < 10`` (method "Exact") and Byars' approximation otherwise ("Byars";
    Byars 1965 via Breslow & Day 1987). Numerators may exceed denominators.

    Parameters
    ----------
    x
        Event counts (>= 0). Missing values give missing outputs.
    n
        Denominators, e.g. person-years (> 0), same length as ``x``.
    multiplier
        Rate per ``multiplier`` population.
    confidence
        A level (``0.95`` or ``95``), the pair ``(0.95, 0.998)``, or ``None`` for no limits.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, lower, upper, method``; with two levels the limit columns are
        ``lower_95_0, upper_95_0, lower_99_8, upper_99_8``. ``attrs["statistic"]`` is e.g.
        ``"rate per 100000"``.

    Raises
    ------
    StatsError
        For negative numerators, non-positive denominators, mismatched lengths or a bad level.

    Examples
    --------
    >>> rate([5], [100], multiplier=100)["lower"].round(4).tolist()
    [1.6235]
    """
    xa, na, index = _inputs(x, n)
    m = _check_multiplier(multiplier)
    levels = () if confidence is None else parse_confidence(confidence, restrict_pair=True)
    if np.any(xa < 0):
        raise StatsError("x: numerators must be greater than or equal to zero")
    if np.any(na <= 0):
        raise StatsError("n: denominators must be greater than zero")
    value = xa / na * m
    limits = []
    method = count_methods(xa)
    for level in levels:
        lower, upper, method = count_limits(xa, level)
        limits.append((level, lower / na * m, upper / na * m))
    return _frame(value, limits, method, index, f"rate per {m:g}")
