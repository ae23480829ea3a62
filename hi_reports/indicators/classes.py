"""The classes of a map of numbers: one classification gives its fills, legend, caption and alt
text.

A :class:`Classes` holds the class limits (``breaks``) and the class of every area, under one
rule (:data:`RULE`): class ``i`` holds the values ``x`` with ``breaks[i] <= x < breaks[i + 1]``,
and the highest class holds its upper limit too (``breaks[-2] <= x <= breaks[-1]``). The highest
class may be a single value (``breaks[-2] == breaks[-1]``); the other limits increase strictly.

Limits are printed numbers: they are rounded to the printed digits when the classification is
made, so a label states the very limits the areas were classed by ("140.0 to under 140.6", the
highest "151.4 to 176.4", a single value "216.1"). Areas are classed by the values given: when an
area's value is printed elsewhere in the book (a rate, an ICB's share), give it rounded as printed
(:func:`printed`), so that every area of a class satisfies its label at the printed precision
("216.1 or more" holds for 216.08, which prints as 216.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hi_reports.formatting import decimal

__all__ = ["RULE", "Classes", "printed", "quantile_breaks"]

#: The boundary rule of every :class:`Classes`, in words.
RULE = "lower <= x < upper, the highest class closed: lower <= x <= upper"


def printed(values: Sequence[float] | np.ndarray, digits: int = 1) -> np.ndarray:
    """Values as the book prints them, to ``digits`` decimals (NaN stays NaN).

    Rounds as :func:`hi_reports.formatting.decimal` does (Python's formatting of the float), so
    that a value classed here is the number a reader sees.
    """
    return np.array(
        [
            float(f"{v:.{digits}f}") if math.isfinite(v) else math.nan
            for v in np.asarray(values, dtype=float)
        ],
        dtype=float,
    )


def quantile_breaks(values: Sequence[float] | np.ndarray, classes: int = 5) -> list[float]:
    """Breaks that put about as many of the (finite) ``values`` in each of ``classes`` classes.

    The lower limit of class ``j`` is the value at position ``j * n // classes`` of the ``n``
    sorted values, or, when that would repeat the limit before (ties), the next larger value: every
    limit is one of the values, tied values share a class, and a value held by most areas (a rate
    of 0) is a class of its own. The last break is the largest value; when it is also a lower
    limit, the highest class is that single value (values 0, 0, 0 and 8: ``[0, 8, 8]``). There
    may be fewer than ``classes`` classes. No values: ``[]``.
    """
    array = np.asarray(values, dtype=float)
    ordered = np.sort(array[np.isfinite(array)])
    n = len(ordered)
    lowers: list[float] = []
    for j in range(classes if n else 0):
        value = float(ordered[j * n // classes])
        if lowers and value <= lowers[-1]:
            above = ordered[ordered > lowers[-1]]
            if not len(above):
                break
            value = float(above[0])
        lowers.append(value)
    return [*lowers, float(ordered[-1])] if n else []


@dataclass(frozen=True)
class Classes:
    """Areas in classes under :data:`RULE`; made with :meth:`of`.

    Attributes
    ----------
    values
        The value of each area, as classed (NaN: not classed, e.g. suppressed).
    breaks
        The class limits, as printed: ``len(breaks) - 1`` classes, lowest first.
    index
        The class of each area (0 lowest), -1 where its value is NaN.
    digits, suffix
        How a limit is printed: ``decimal(limit, digits) + suffix`` ("12.5%" with 1 and "%").
    """

    values: tuple[float, ...]
    breaks: tuple[float, ...]
    index: tuple[int, ...]
    digits: int = 1
    suffix: str = ""

    @classmethod
    def of(
        cls,
        values: Sequence[float] | np.ndarray,
        breaks: Sequence[float],
        digits: int = 1,
        suffix: str = "",
    ) -> Classes:
        """Class ``values`` by ``breaks`` rounded to ``digits`` decimals (see :data:`RULE`).

        Raises
        ------
        ValueError
            When a value lies outside the first and last (rounded) break, or there are no breaks
            and some value is not NaN (no breaks and no values: no classes).

        Examples
        --------
        >>> c = Classes.of([1.0, 2.0, 2.0, 3.0], [1.0, 2.0, 3.0])
        >>> c.index, c.labels
        ((0, 1, 1, 1), ('1.0 to under 2.0', '2.0 to 3.0'))
        """
        array = np.asarray(values, dtype=float)
        finite = np.isfinite(array)
        limits = sorted(printed(breaks, digits).tolist())
        if any(math.isnan(b) for b in limits) or (not limits and finite.any()):
            raise ValueError("classes need a break (and no NaN) when any value is to be classed")
        if not limits:
            return cls(tuple(array.tolist()), (), (-1,) * len(array), digits, suffix)
        lowers = sorted(set(limits[:-1])) or [limits[0]]
        top = limits[-1]
        outside = finite & ((array < lowers[0]) | (array > top))
        if outside.any():
            raise ValueError(
                f"values {array[outside][:3].tolist()} lie outside the classes {lowers[0]} to {top}"
            )
        index = np.where(
            finite, np.searchsorted(np.asarray(lowers), np.nan_to_num(array), side="right") - 1, -1
        )
        return cls(
            tuple(array.tolist()), (*lowers, top), tuple(int(i) for i in index), digits, suffix
        )

    @property
    def size(self) -> int:
        """The number of classes (0 when no area could be classed)."""
        return max(len(self.breaks) - 1, 0)

    @property
    def counts(self) -> tuple[int, ...]:
        """How many areas each class holds, lowest class first."""
        index = np.asarray(self.index, dtype=int)
        return tuple(int(n) for n in np.bincount(index[index >= 0], minlength=self.size))

    @property
    def classed(self) -> int:
        """How many areas are in a class (not NaN)."""
        return sum(self.counts)

    def text(self, value: float) -> str:
        """A limit as printed: ``decimal(value, digits) + suffix``."""
        return decimal(value, self.digits) + self.suffix

    def single(self, i: int) -> bool:
        """True when class ``i`` is a single value (only the highest class can be)."""
        return self.breaks[i] == self.breaks[i + 1]

    def label(self, i: int) -> str:
        """The legend's label of class ``i``: "X to under Y"; the highest "X to Y", or "X" alone."""
        lower, upper = self.text(self.breaks[i]), self.text(self.breaks[i + 1])
        if i < self.size - 1:
            return f"{lower} to under {upper}"
        return lower if self.single(i) else f"{lower} to {upper}"

    @property
    def labels(self) -> tuple[str, ...]:
        """The label of every class, lowest first."""
        return tuple(self.label(i) for i in range(self.size))

    @property
    def at_least(self) -> str:
        """What every value of the highest class is, as printed: "X or more", or "X" when the class
        is that single value (never "more than X": X itself may be in the class)."""
        lower = self.text(self.breaks[-2])
        return lower if self.single(self.size - 1) else f"{lower} or more"

    def colours(self, palette: Sequence[str], missing: str) -> tuple[str, ...]:
        """Each area's fill: the last ``size`` colours of ``palette`` (the highest class gets the
        last), ``missing`` for an area not classed."""
        mine = self.palette(palette)
        return tuple(mine[i] if i >= 0 else missing for i in self.index)

    def palette(self, palette: Sequence[str]) -> tuple[str, ...]:
        """The colours of the classes, lowest first: the last ``size`` of ``palette``."""
        if self.size > len(palette):
            raise ValueError(f"{self.size} classes and {len(palette)} colours")
        return tuple(palette[len(palette) - self.size :])

    def legend(self, palette: Sequence[str]) -> tuple[tuple[str, str], ...]:
        """The legend's ``(label, colour)`` rows, lowest class first."""
        return tuple(zip(self.labels, self.palette(palette), strict=True))

    def without_empty(self) -> Classes:
        """The same areas with every empty class merged into the class below it (the lowest, when
        empty, into the class above): every area still satisfies its class's label, and no legend
        row holds nothing. Without any area classed, the classes are kept."""
        keep = [i for i, n in enumerate(self.counts) if n]
        if not keep or len(keep) == self.size:
            return self
        lowers = [self.breaks[i] for i in keep]
        lowers[0] = self.breaks[0]
        return Classes.of(self.values, [*lowers, self.breaks[-1]], self.digits, self.suffix)
