"""Disclosure control of activity counts: the one rule every published output inherits.

The rule (:data:`SAFE`) is NHS England's for its own Hospital Episode Statistics outputs: a count
of 1 to 7 is suppressed, and every other count is rounded to the nearest 5 (0 stays 0). It holds
against a reader who calculates only if nothing else published lets the unrounded count back:

- every rate, confidence limit, difference, ratio and excess is computed from the published
  (suppressed and rounded) counts, never from the true ones, so that ``rate x person-years /
  1,000`` gives back the published count and subtraction between groups or outputs gives
  differences of rounded counts; a figure whose count is suppressed is suppressed with it;
- data-quality counts (rows and events read, used, excluded, outside the organisation) go through
  the same rule;
- the class breaks of a map are chosen from published rates and put on a coarse grid of round
  numbers.

:data:`UNSAFE` keeps the true counts, for internal use only: every output made with it is marked
:data:`UNSAFE_MARK`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

__all__ = ["SAFE", "UNSAFE", "UNSAFE_MARK", "Disclosure", "coarse_breaks"]

#: The marking of every page and file made from unrounded counts.
UNSAFE_MARK = "UNSAFE COUNTS: NOT FOR PUBLICATION"


@dataclass(frozen=True)
class Disclosure:
    """A disclosure rule: suppress positive counts up to ``small_max``, round others to
    ``round_to``.

    Attributes
    ----------
    small_max
        Positive counts up to this (after rounding to whole events) are suppressed (NaN).
    round_to
        Other counts are published rounded to the nearest multiple of this (halves up).
    """

    small_max: int = 7
    round_to: int = 5

    @property
    def safe(self) -> bool:
        """False for the rule that publishes true counts (:data:`UNSAFE`)."""
        return self.small_max > 0 or self.round_to > 1

    @property
    def mark(self) -> str:
        """The marking outputs carry: :data:`UNSAFE_MARK`, or nothing for a safe rule."""
        return "" if self.safe else UNSAFE_MARK

    def suppressed(self, counts: np.ndarray | pd.Series | float) -> np.ndarray:
        """True where a count is suppressed (1 to ``small_max`` whole events)."""
        with np.errstate(invalid="ignore"):
            whole = np.floor(np.asarray(counts, dtype=float) + 0.5)
        return (whole > 0) & (whole <= self.small_max)

    def publish(self, counts: np.ndarray | pd.Series | float) -> np.ndarray:
        """The published counts: NaN where suppressed, others rounded to ``round_to`` (halves up).

        Fractional counts (a trust's catchment-weighted events) are rounded like whole ones. NaN
        stays NaN.
        """
        values = np.asarray(counts, dtype=float)
        with np.errstate(invalid="ignore"):
            rounded = np.floor(values / self.round_to + 0.5) * self.round_to
        if self.round_to == 1 and self.small_max == 0:
            rounded = values  # the unsafe rule keeps fractional (weighted) counts exactly
        return np.where(self.suppressed(values), np.nan, rounded)

    def publish_one(self, count: float) -> float:
        """:meth:`publish` of one count, as a float (NaN when suppressed)."""
        return float(self.publish(np.asarray([count], dtype=float))[0])

    def scale(self, counts: np.ndarray | pd.Series) -> np.ndarray:
        """The factor that turns true counts into published ones (0 where a count is 0 or
        suppressed).

        Multiplying a group's age-specific counts by it makes them add up to the group's published
        count, so that age-standardised rates and their limits rest on the published count.
        """
        values = np.asarray(counts, dtype=float)
        published = self.publish(values)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(values > 0, published / values, 0.0)
        return np.nan_to_num(factor, nan=0.0)


#: The published rule: 1 to 7 suppressed, others rounded to the nearest 5.
SAFE = Disclosure()
#: True counts, for internal use only (``--unsafe-counts``); outputs are marked :data:`UNSAFE_MARK`.
UNSAFE = Disclosure(small_max=0, round_to=1)


def _grid_step(gap: float) -> float:
    """The grid of map breaks: the largest of 1, 2 or 5 times a power of ten up to half ``gap``,
    and 0.1 at least (rates are printed to one decimal)."""
    if not math.isfinite(gap) or gap <= 0:
        return 0.1
    target = gap / 2
    power = 10.0 ** math.floor(math.log10(target))
    step = max(f * power for f in (1, 2, 5) if f * power <= target * (1 + 1e-12))
    return max(step, 0.1)


def coarse_breaks(breaks: Sequence[float]) -> list[float]:
    """Class breaks on a grid of round numbers: each class's lower limit rounded down, the highest
    break up.

    ``breaks`` are the lower limits of the classes, then the largest rate (the last two are equal
    when the highest class is that rate alone), chosen from published rates. The result depends on
    those only and holds only multiples of one step (1, 2 or 5 times a power of ten, about half the
    narrowest class or coarser, 0.1 at least), so a class limit is a round number rather than one
    area's rate. A lower limit rounded down keeps in its class the area whose rate it was, so the
    grid empties no class (two limits may meet, and their classes merge); a highest class of one
    rate stays a class (``[0, 6.5, 6.5]`` gives ``[0, 6, 8]``). The highest break is above the
    last lower limit; at least two breaks are returned.
    """
    values = sorted(float(b) for b in breaks if math.isfinite(b))
    if not values:
        return [0.0, 1.0]
    distinct = sorted(set(values))
    gaps = [b - a for a, b in pairwise(distinct)]
    step = _grid_step(min(gaps) if gaps else abs(values[0]))
    lowers = sorted({round(math.floor(v / step + 1e-9) * step, 10) for v in values[:-1] or values})
    hi = round(math.ceil(values[-1] / step - 1e-9) * step, 10)
    if hi <= lowers[-1]:
        hi = round(lowers[-1] + step, 10)
    return [*lowers, hi]
