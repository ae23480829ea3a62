"""The data annex: every number an edition prints, with its key, definition and source.

The edition's formatters (``ed.pct``, ``ed.num`` ...) record each number in the annex of the chapter
being run; the build writes it as ``annex.csv`` beside the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hi_reports.indicators.measure import Measure


@dataclass
class Annex:
    """The numbers printed by the chapters, in the order they were printed (one row per key and
    chapter)."""

    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    chapter: str = ""

    def record(self, measure: Measure, printed: str) -> None:
        """Record that ``measure`` was printed as ``printed`` in the current chapter."""
        self.rows.setdefault(
            (self.chapter, measure.key),
            {
                "chapter": self.chapter,
                "key": measure.key,
                "value": None if measure.missing else measure.value,
                "printed": printed,
                "unit": measure.unit,
                "definition": measure.definition,
                "source": measure.source,
            },
        )


__all__ = ["Annex"]
