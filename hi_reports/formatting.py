"""Number formats shared by the charts and the chapter filters (British English conventions)."""

from __future__ import annotations

import math

MISSING = "n/a"


def ordinal(n: int) -> str:
    """Return ``n`` as an ordinal: 1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percent(value: float, digits: int = 1) -> str:
    """Format a fraction as a percentage: 0.3123 -> '31.2%'; NaN -> 'n/a'."""
    if value is None or math.isnan(value):
        return MISSING
    return f"{value * 100:.{digits}f}%"


def count(value: float) -> str:
    """Format a count with thousands separators, rounded to a whole number: 412345.4 -> '412,345'."""
    if value is None or math.isnan(value):
        return MISSING
    return f"{round(value):,}"


def decimal(value: float, digits: int = 1) -> str:
    """Format a number with thousands separators and fixed decimals: 1234.567 -> '1,234.6'."""
    if value is None or math.isnan(value):
        return MISSING
    return f"{value:,.{digits}f}"


def rank(value: float, of: int | None, tied: int | None = None) -> str:
    """Format a rank: (4, 42) -> '4th of 42'; shared by several, (257, 309, 53) -> 'joint 257th of 309'."""
    if value is None or math.isnan(value):
        return MISSING
    return ("joint " if tied and tied > 1 else "") + ordinal(int(value)) + (f" of {of}" if of else "")


def long_date(day) -> str:
    """Write a date the British way: 2026-11-25 -> '25 November 2026'."""
    return f"{day.day} {day:%B %Y}"


def by_unit(unit: str, value: float, of: int | None = None, digits: int = 1, tied: int | None = None) -> str:
    """Format a number as the chapters print its unit: share, count, rank or number."""
    if unit == "share":
        return percent(value)
    if unit == "count":
        return count(value)
    if unit == "rank":
        return rank(value, of, tied)
    return decimal(value, digits)
