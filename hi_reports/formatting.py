"""Number formats shared by the charts and the chapter filters (British English conventions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata

MISSING = "n/a"


def ordinal(n: int) -> str:
    """Return ``n`` as an ordinal: 1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percent(value: float | None, digits: int = 1) -> str:
    """Format a fraction as a percentage: 0.3123 -> '31.2%'; NaN -> 'n/a'."""
    if value is None or math.isnan(value):
        return MISSING
    return f"{value * 100:.{digits}f}%"


def count(value: float | None) -> str:
    """Format a count with thousands separators, rounded to a whole number:
    412345.4 -> '412,345'."""
    if value is None or math.isnan(value):
        return MISSING
    return f"{round(value):,}"


def decimal(value: float | None, digits: int = 1) -> str:
    """Format a number with thousands separators and fixed decimals: 1234.567 -> '1,234.6';
    a number that rounds to zero has no sign (-0.04 -> '0.0', never '-0.0')."""
    if value is None or math.isnan(value):
        return MISSING
    text = f"{value:,.{digits}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def times(ratio: float | None, than: str) -> str:
    """A ratio in words, as printed to one decimal: 1.8 -> '1.8 times THAN', 1.0 -> 'about the
    same as THAN', 0.9 -> '10% lower than THAN' (never '0.9 times')."""
    if ratio is None or math.isnan(ratio):
        return MISSING
    printed = float(f"{ratio:.1f}")
    if printed > 1:
        return f"{ratio:.1f} times {than}"
    if printed == 1:
        return f"about the same as {than}"
    return f"{round((1 - ratio) * 100)}% lower than {than}"


def rank(value: float | None, of: int | None, tied: int | None = None) -> str:
    """Format a rank: (4, 42) -> '4th of 42'; shared by several, (257, 309, 53) ->
    'joint 257th of 309'."""
    if value is None or math.isnan(value):
        return MISSING
    return (
        ("joint " if tied and tied > 1 else "") + ordinal(int(value)) + (f" of {of}" if of else "")
    )


def join_words(items: list[str]) -> str:
    """``["A", "B", "C"]`` -> ``"A, B and C"``; with semicolons where an item has a comma of its
    own, so that "Kingston upon Hull, City of" stays one name.

    Examples
    --------
    >>> join_words(["Kingston upon Hull, City of", "Liverpool", "Burnley"])
    'Kingston upon Hull, City of; Liverpool; and Burnley'
    """
    if len(items) <= 1:
        return "".join(items)
    if any("," in item for item in items):
        return "; ".join(items[:-1]) + "; and " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: 'Emergency admissions' -> 'emergency admissions', but
    an acronym or a name with capitals inside its first word stays as it is ('A&E attendances',
    'NHS 111 calls', 'GP appointments')."""
    first = name.split(" ", 1)[0]
    if (
        len(first) < 2
        or not first[0].isupper()
        or any(c.isupper() for c in first[1:])
        or not first[1].isalpha()
    ):
        return name
    return name[0].lower() + name[1:]


def sentence_start(text: str) -> str:
    """Capitalise the first letter only: 'a&E attendances' is never made, 'emergency admissions' ->
    'Emergency admissions', 'A&E attendances' unchanged (unlike ``str.capitalize``)."""
    return text[:1].upper() + text[1:]


def long_date(day: dt.date) -> str:
    """Write a date the British way: 2026-11-25 -> '25 November 2026'."""
    return f"{day.day} {day:%B %Y}"


def by_unit(
    unit: str, value: float, of: int | None = None, digits: int = 1, tied: int | None = None
) -> str:
    """Format a number as the chapters print its unit: share, count, rank or number."""
    if unit == "share":
        return percent(value)
    if unit == "count":
        return count(value)
    if unit == "rank":
        return rank(value, of, tied)
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
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", str(text).lower()) if not unicodedata.combining(c)
    )
    result = "".join(c if c.isalnum() and c.isascii() else "_" for c in plain).strip("_")
    if len(result) > limit:
        tail = hashlib.sha1(result.encode("utf-8")).hexdigest()[:8]
        result = f"{result[: limit - 9].rstrip('_')}_{tail}"
    return result


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~^$@])")


def escape_markdown(text: str) -> str:
    """Escape the characters markdown would read as markup: ``a*b <i>`` -> ``a\\*b \\<i\\>``.
    A name read from a file is data: escaped, it cannot inject markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
