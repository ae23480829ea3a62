"""A number the book prints, with what it means and where it comes from."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "share", "rank", "number"]


@dataclass(frozen=True)
class Measure:
    """One number of an edition.

    Chapters print numbers only through the formatting filters of :mod:`hi_reports.book`, which
    accept a Measure and record it in the edition's data annex, so the annex holds every number the
    book prints, with its definition and source.

    Attributes
    ----------
    key
        A stable identifier, e.g. ``"imd.core20.share"``.
    value
        The number (a share is a fraction between 0 and 1). NaN when it cannot be computed, e.g. a
        share of an empty group.
    unit
        ``count`` (people, areas), ``share`` (a fraction), ``rank`` or ``number``.
    definition
        What the number is, in words.
    source
        The datasets it comes from.
    of
        For a rank, how many organisations were ranked.
    tied
        For a rank, how many organisations share it (as printed), when more than one does.
    """

    key: str
    value: float
    unit: Unit
    definition: str
    source: str
    of: int | None = None
    tied: int | None = None

    @property
    def missing(self) -> bool:
        """True when the value could not be computed (NaN)."""
        return isinstance(self.value, float) and math.isnan(self.value)

    def __float__(self) -> float:
        return float(self.value)
