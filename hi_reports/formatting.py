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


def rank(value: float, of: int | None) -> str:
    """Format a rank: (4, 42) -> '4th of 42'."""
    if value is None or math.isnan(value):
        return MISSING
    return ordinal(int(value)) + (f" of {of}" if of else "")


def long_date(day) -> str:
    """Write a date the British way: 2026-11-25 -> '25 November 2026'."""
    return f"{day.day} {day:%B %Y}"


def by_unit(unit: str, value: float, of: int | None = None, digits: int = 1) -> str:
    """Format a number as the chapters print its unit: share, count, rank or number."""
    if unit == "share":
        return percent(value)
    if unit == "count":
        return count(value)
    if unit == "rank":
        return rank(value, of)
    return decimal(value, digits)


#: The longest slug (in file names and annex keys); a longer one is cut and keeps a hash.
SLUG_MAX = 60


def slug(text: str, limit: int = SLUG_MAX) -> str:
    """A name as a key for files and annex keys: lower case, letters and digits, ``_`` between.

    Every character that is not a letter or a digit becomes ``_`` (so ``"A&E attendances"`` and
    ``"A+E attendances"`` share the slug ``a_e_attendances``); the result is at most ``limit``
    characters, a longer one ending in 8 hex digits of its sha1 so that it stays distinct. Accents
    are dropped and other non-ASCII characters become ``_``: the slug is safe in any file system.

    Parameters
    ----------
    text
        The name, e.g. a measure given by the user.
    limit
        The longest result.

    Returns
    -------
    str
        The slug (empty for a name of no letters or digits).

    Examples
    --------
    >>> slug("A&E attendances (2023-24)")
    'a_e_attendances__2023_24'
    """
    import hashlib
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", str(text).lower()) if not unicodedata.combining(c))
    result = "".join(c if c.isalnum() and c.isascii() else "_" for c in plain).strip("_")
    if len(result) > limit:
        tail = hashlib.sha1(result.encode("utf-8")).hexdigest()[:8]
        result = f"{result[: limit - 9].rstrip('_')}_{tail}"
    return result
