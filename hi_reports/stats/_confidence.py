"""Confidence-level parsing, normal quantiles and argument checks shared by :mod:`hi_reports.stats`.

Confidence levels follow PHEindicatormethods: a level may be given as a fraction (``0.95``) or a
percentage (``95``); values of 90 or more are divided by 100. The two-sided normal quantile is
``z = Φ⁻¹(c + (1 − c)/2)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import SupportsFloat

import numpy as np
import pandas as pd
from scipy.special import ndtri

from hi_reports.errors import StatsError

ConfidenceLike = float | int | Sequence[float] | None

CONFIDENCE_MESSAGE = "confidence level must be between 90 and 100 or between 0.9 and 1"


def normalise_confidence(level: object, message: str = CONFIDENCE_MESSAGE) -> float:
    """Return one confidence level as a fraction in [0.9, 1].

    Parameters
    ----------
    level
        ``0.95`` or ``95`` style level (a number, or its text); values >= 90 are divided by 100.
    message
        Error message used when the level is out of range (mirrors the R wording).

    Returns
    -------
    float
        The level as a fraction.
    """
    if not isinstance(level, SupportsFloat | str):
        raise StatsError(f"confidence: {message} (got {level!r})")
    try:
        c = float(level)
    except ValueError:  # text that is not a number
        raise StatsError(f"confidence: {message} (got {level!r})") from None
    if not np.isfinite(c):
        raise StatsError(f"confidence: {message} (got {level!r})")
    if c >= 90:
        c = c / 100.0
    if not (0.9 <= c <= 1.0):
        raise StatsError(f"confidence: {message} (got {level!r})")
    return c


def parse_confidence(
    confidence: ConfidenceLike,
    *,
    max_levels: int = 2,
    message: str = CONFIDENCE_MESSAGE,
    restrict_pair: bool = False,
) -> tuple[float, ...]:
    """Parse a scalar or a pair of confidence levels into a tuple of fractions.

    Parameters
    ----------
    confidence
        A level, or a sequence of up to ``max_levels`` levels.
    max_levels
        Most levels accepted ("a maximum of two confidence levels can be provided").
    message
        Error message for an out-of-range level.
    restrict_pair
        If true, two levels must be 0.95 and 0.998 (as phe_proportion, phe_rate, calculate_dsr).

    Returns
    -------
    tuple of float
    """
    given = np.asarray(confidence, dtype=object)
    levels: tuple[float, ...]
    if given.ndim == 0:
        levels = (normalise_confidence(given.item(), message),)
    else:
        raw = list(given.ravel())
        if len(raw) == 0:
            raise StatsError(f"confidence: {message} (got an empty sequence)")
        if len(raw) > max_levels:
            if max_levels == 1:
                raise StatsError("confidence: only one confidence level can be provided")
            raise StatsError("confidence: a maximum of two confidence levels can be provided")
        levels = tuple(normalise_confidence(c, message) for c in raw)
    if (
        restrict_pair
        and len(levels) == 2
        and not (np.isclose(levels[0], 0.95) and np.isclose(levels[1], 0.998))
    ):
        raise StatsError(
            "confidence: two confidence levels can only be produced if they are specified as "
            "0.95 and 0.998"
        )
    return levels


def z_value(level: float) -> float:
    """Two-sided standard normal quantile ``Φ⁻¹(c + (1 − c)/2)`` for a fraction ``c``."""
    return float(ndtri(level + (1.0 - level) / 2.0))


def level_suffix(level: float) -> str:
    """Column suffix for a confidence level: ``0.95 -> "95_0"``, ``0.998 -> "99_8"``.

    This is the PHEindicatormethods scheme (``lower95_0cl``) with an underscore separator, so the
    columns for two levels are e.g. ``lower_95_0``, ``upper_99_8``, ``sii_lower_95_0``.
    """
    return f"{level * 100:.1f}".replace(".", "_")


def level_label(levels: Sequence[float]) -> str:
    """Metadata string such as ``"95%"`` or ``"95%, 99.8%"``."""
    return ", ".join(f"{c * 100:g}%" for c in levels)


def as_float_array(values: object, name: str) -> np.ndarray:
    """Convert an argument to a float array, raising :class:`StatsError` naming it if impossible."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy(dtype=float, na_value=np.nan)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise StatsError(f"{name}: values must be numeric") from None
    return arr


def broadcast(
    name_a: str, a: np.ndarray, name_b: str, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast two arrays, raising :class:`StatsError` when their lengths do not match."""
    try:
        first, second = np.broadcast_arrays(a, b)
    except ValueError:  # numpy's word for shapes that do not broadcast
        raise StatsError(
            f"{name_a} and {name_b} must have the same length (got {a.shape} and {b.shape})"
        ) from None
    return first, second


def scalar_or_array(arr: np.ndarray) -> float | np.ndarray:
    """Return a Python float for 0-d results, the array otherwise."""
    return float(arr) if np.ndim(arr) == 0 else arr
