"""Match a file's column titles to the tidy names of its catalogue entry.

Publishers title the same column in several ways (MHCLG's long ``"Index of Multiple Deprivation
(IMD) Decile"``, ONS's ``LSOA11CD``, the tidy copies' ``imd_decile``); each
:class:`~hi_reports.data.catalogue.Column` lists the titles it accepts. Titles are compared
case-insensitively, ignoring spaces and punctuation. Both the table loaders and the boundary reader
use :func:`match_columns`.
"""

from __future__ import annotations

import re
from pathlib import Path

from hi_reports.data.catalogue import Dataset
from hi_reports.errors import DataError

__all__ = ["match_columns"]


def _normalise(title: str) -> str:
    """A column title as it is compared: lower case, letters, digits and ``+`` only.

    Examples
    --------
    >>> _normalise("LSOA code (2011)")
    'lsoacode2011'
    """
    return re.sub(r"[^a-z0-9+]", "", title.lower())


def _find_title(aliases: tuple[str, ...], by_title: dict[str, str]) -> str | None:
    """The file's title matching the first alias that any title matches (``##``: two digits)."""
    for alias in aliases:
        if "##" in alias:
            before, after = (_normalise(part) for part in alias.split("##", 1))
            pattern = re.compile(re.escape(before) + r"\d\d" + re.escape(after))
            found = [title for norm, title in by_title.items() if pattern.fullmatch(norm)]
            if found:
                return found[0]
        elif _normalise(alias) in by_title:
            return by_title[_normalise(alias)]
    return None


def match_columns(dataset: Dataset, path: Path, header: list[str]) -> dict[str, str]:
    """Map the file's column titles to tidy names through the alias table.

    Parameters
    ----------
    dataset
        The catalogue entry: its columns and their accepted titles, and its single years of age
        (:attr:`~hi_reports.data.catalogue.Dataset.extra`), matched by pattern.
    path
        The file, for the messages.
    header
        The file's column titles.

    Returns
    -------
    dict
        The file's title -> the tidy name, for every column the dataset keeps.

    Raises
    ------
    DataError
        Naming the first column without a matching title (and the titles accepted), or the
        single years of age missing.
    """
    by_title = {_normalise(title): title for title in header}
    mapping: dict[str, str] = {}
    for column in dataset.columns:
        title = _find_title(column.aliases, by_title)
        if title is None:
            raise DataError(
                f"{path.name}: no column for {column.name!r}; accepted titles: "
                + "; ".join(repr(a) for a in column.aliases),
                hint=f"is this the {dataset.title} file? Its columns are: {', '.join(header[:8])}"
                + (" ..." if len(header) > 8 else ""),
                path=path,
            )
        mapping[title] = column.name
    if dataset.extra:  # single years of age: "0".."89" and "90+" (ONS titles) or age_0..age_90
        for title in header:
            match = re.fullmatch(r"(?:age_?)?(\d{1,2})(\+|plus)?", title.strip().lower())
            if match and f"age_{int(match.group(1))}" in dataset.extra:
                mapping[title] = f"age_{int(match.group(1))}"
        missing = [name for name in dataset.extra if name not in mapping.values()]
        if missing:
            raise DataError(
                f"{path.name}: missing single-year-of-age columns {', '.join(missing[:5])}"
                + (" ..." if len(missing) > 5 else ""),
                hint="the file needs one column per year of age, 0 to 89, and 90+",
                path=path,
            )
    return mapping
