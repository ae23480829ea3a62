"""Periods of activity: an NHS financial year (``2023-24``) or a calendar year (``2023``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hi_reports.errors import DataError

__all__ = ["Period", "parse_period"]


@dataclass(frozen=True)
class Period:
    """A period of activity: ``label`` (``"2023-24"``), first and last day (inclusive)."""

    label: str
    start: date
    end: date

    @property
    def years(self) -> float:
        """Length in years (365.25 days), for rates per year."""
        return ((self.end - self.start).days + 1) / 365.25


def parse_period(text: str | Period | None) -> Period | None:
    """Parse a period: ``"2023-24"`` (NHS financial year, 1 April 2023 to 31 March 2024),
    ``"2023/24"`` likewise, or ``"2023"`` (calendar year).

    Raises
    ------
    DataError
        For any other form, naming the accepted ones (the setting at fault is ``period``).

    Examples
    --------
    >>> parse_period("2023-24").end
    datetime.date(2024, 3, 31)
    """
    if text is None or isinstance(text, Period):
        return text
    value = str(text).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})", value)
    if match:
        first, second = int(match.group(1)), match.group(2)
        following = first + 1
        if int(second) in (following, following % 100):
            return Period(
                f"{first}-{following % 100:02d}", date(first, 4, 1), date(following, 3, 31)
            )
    elif re.fullmatch(r"\d{4}", value):
        year = int(value)
        return Period(value, date(year, 1, 1), date(year, 12, 31))
    raise DataError(
        f"period {text!r} is not a financial year like 2023-24 or a calendar year like 2023",
        hint="2023-24 means 1 April 2023 to 31 March 2024; 2023 means January to December 2023",
        option="period",
    )
