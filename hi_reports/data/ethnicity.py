"""The Census 2021 ethnic groups of the residents of every LSOA of an edition's vintage.

Census 2021 table TS021 counts the usual residents of each LSOA 2021 in five broad ethnic groups
(:data:`ETHNIC_GROUPS`), self-reported on census day, 21 March 2021. On vintage 2025 the counts
join the reference's LSOAs 2021 directly; on vintage 2019 ONS's LSOA 2011 to 2021 lookup carries
them to LSOA 2011 (:func:`to_lsoa11`).

The table is read when it is asked for (:func:`ethnic_groups`), as the trust catchments are, not by
:func:`~hi_reports.data.reference.load_reference`: a data folder without it still loads the
reference, and asking for the groups then names the missing file and the ``data add`` command.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from hi_reports.data.catalogue import ETHNIC_GROUPS
from hi_reports.data.codes import among
from hi_reports.data.reference import BRIDGE_TITLE, Reference, Source, same_codes
from hi_reports.data.vintage import BRIDGE
from hi_reports.errors import DataError

__all__ = ["COLUMNS", "ETHNIC_GROUPS", "Carried", "Ethnicity", "ethnic_groups", "to_lsoa11"]

#: The columns of :attr:`Ethnicity.residents`: the five groups of :data:`ETHNIC_GROUPS`, then their
#: total.
COLUMNS: tuple[str, ...] = (*(name for name, _ in ETHNIC_GROUPS), "total")


@dataclass(frozen=True)
class Ethnicity:
    """The census residents of each LSOA of a reference by broad ethnic group.

    Attributes
    ----------
    residents
        One row per LSOA, indexed by ``lsoa_code`` exactly as the reference's
        :attr:`~hi_reports.data.reference.Reference.lsoas` (same codes, same order); float
        columns :data:`COLUMNS`: ``white``, ``mixed``, ``asian``, ``black``, ``other`` and
        ``total``, usual residents at Census 2021. On LSOA 2011 a count is fractional where an
        LSOA 2021 was shared between several LSOAs 2011 (see :func:`to_lsoa11`).
    shared
        The census residents (total) of the LSOAs 2021 that had to be shared between several
        LSOAs 2011: 0.0 on LSOA 2021.
    shared_lsoas
        How many LSOAs 2021 were shared: 0 on LSOA 2021.
    sources
        The census table, and on LSOA 2011 the lookup that carried it over.
    """

    residents: pd.DataFrame
    shared: float
    shared_lsoas: int
    sources: tuple[Source, ...]


class Carried(NamedTuple):
    """Counts carried from LSOA 2021 to LSOA 2011 by :func:`to_lsoa11`."""

    #: One row per LSOA 2011, indexed (and ordered) as the ``residents`` given.
    counts: pd.DataFrame
    #: The total of the LSOAs 2021 shared between several LSOAs 2011.
    shared: float
    #: How many LSOAs 2021 were shared.
    shared_lsoas: int


def _first(codes: pd.Index | list[str]) -> str:
    return ", ".join(sorted(codes)[:3])


def to_lsoa11(
    counts: pd.DataFrame,
    bridge: pd.DataFrame,
    residents: pd.Series,
    *,
    lookup: str | os.PathLike[str] | None = None,
    census: str | os.PathLike[str] | None = None,
) -> Carried:
    """Carry counts of people on LSOA 2021 to LSOA 2011 with ONS's LSOA 2011 to 2021 lookup.

    Each row of the lookup pairs an LSOA 2011 with an LSOA 2021 it overlaps (its change code
    says how: U unchanged, S split, M merged, X redrawn). An LSOA 2021 whose rows name one LSOA
    2011 (an unchanged LSOA, or one part of a split one) gives its counts wholly to that LSOA
    2011, so unchanged and split LSOAs add up exactly. An LSOA 2021 with several LSOAs 2011
    (merged, or a complex redrawing) is shared among them in proportion to their ``residents``
    (the mid-2020 estimates on LSOA 2011), and equally where they all have none. Every count is
    shared the same way, so each LSOA 2021's total is kept exactly (up to float rounding), and
    so is every group's national total.

    Parameters
    ----------
    counts
        People by LSOA 2021: indexed by LSOA 2021 code, one numeric column per group, among them
        ``total``.
    bridge
        The lookup's rows: columns ``lsoa11_code`` and ``lsoa21_code`` (others are ignored).
    residents
        The residents of each LSOA 2011, indexed by its code: the LSOAs of the result, in order.
    lookup, census
        The lookup's and the counts' files, for the messages.

    Returns
    -------
    Carried
        The counts on LSOA 2011 (float columns as ``counts``, indexed as ``residents``), the
        total of the LSOAs 2021 that were shared, and how many they were.

    Raises
    ------
    DataError
        Naming the lookup when an LSOA 2021 of ``counts`` is not in it, when it gives an LSOA
        2011 that ``residents`` lacks as a parent, or when an LSOA 2011 of ``residents`` receives
        nothing; naming the counts when they lack an LSOA 2021 of the lookup's LSOAs 2011.

    Examples
    --------
    >>> counts = pd.DataFrame({"total": [10.0, 6.0]}, index=["E01000901", "E01000902"])
    >>> bridge = pd.DataFrame(
    ...     {"lsoa11_code": ["A", "B", "C"], "lsoa21_code": ["E01000901", "E01000902", "E01000902"]}
    ... )
    >>> carried = to_lsoa11(counts, bridge, pd.Series({"A": 5, "B": 100, "C": 200}))
    >>> carried.counts["total"].tolist(), carried.shared, carried.shared_lsoas
    ([10.0, 2.0, 4.0], 6.0, 1)
    """
    lookup_file = None if lookup is None else Path(lookup)
    census_file = None if census is None else Path(census)
    name = lookup_file.name if lookup_file else "the LSOA 2011 to 2021 lookup"
    counted = census_file.name if census_file else "the census counts"
    hint = f"use the {BRIDGE_TITLE}"
    pairs = bridge[["lsoa11_code", "lsoa21_code"]].drop_duplicates()
    ours = pairs[among(pairs["lsoa11_code"], residents.index)]
    absent = pd.Index(ours["lsoa21_code"].unique()).difference(counts.index)
    if len(absent):
        raise DataError(
            f"{counted}: {len(absent)} LSOAs 2021 of {name} are missing (first: {_first(absent)})",
            hint="the census table must cover every English LSOA 2021",
            path=census_file,
        )
    pairs = pairs[among(pairs["lsoa21_code"], counts.index)]
    unknown = counts.index.difference(pd.Index(pairs["lsoa21_code"].unique()))
    if len(unknown):
        raise DataError(
            f"{name}: {len(unknown)} LSOAs 2021 of {counted} are not in the lookup (first: "
            f"{_first(unknown)})",
            hint=hint,
            path=lookup_file,
        )
    strangers = pd.Index(pairs["lsoa11_code"].unique()).difference(residents.index)
    if len(strangers):
        raise DataError(
            f"{name}: {len(strangers)} LSOAs 2011 it gives as parents are not LSOAs of the "
            f"reference (first: {_first(strangers)})",
            hint=hint,
            path=lookup_file,
        )
    children = pairs["lsoa21_code"]
    people = residents.reindex(pairs["lsoa11_code"]).to_numpy(dtype=float)
    parents = children.groupby(children).transform("size").to_numpy()
    pooled = pd.Series(people, index=pairs.index).groupby(children).transform("sum").to_numpy()
    weight = np.where(pooled > 0, people / np.where(pooled > 0, pooled, 1.0), 1.0 / parents)
    values = counts.reindex(children.to_numpy()).to_numpy(dtype=float) * weight[:, None]
    carried = pd.DataFrame(values, columns=counts.columns).groupby(pairs["lsoa11_code"].to_numpy())
    summed = carried.sum()
    empty = residents.index.difference(summed.index)
    if len(empty):
        raise DataError(
            f"{name}: {len(empty)} LSOAs 2011 of the reference receive no LSOA 2021 (first: "
            f"{_first(empty)})",
            hint=hint,
            path=lookup_file,
        )
    shared = pd.Index(children[parents > 1].unique())
    return Carried(
        counts=summed.reindex(residents.index),  # the index itself, name and all
        shared=float(counts.loc[shared, "total"].sum()),
        shared_lsoas=len(shared),
    )


_CACHE: weakref.WeakKeyDictionary[Reference, Ethnicity] = weakref.WeakKeyDictionary()


def ethnic_groups(reference: Reference) -> Ethnicity:
    """The Census 2021 residents of each LSOA of ``reference`` by broad ethnic group.

    On LSOA 2021 (vintage 2025) the census table joins the LSOAs directly; on LSOA 2011 (vintage
    2019) it is carried over by ONS's LSOA 2011 to 2021 lookup, merged and redrawn LSOAs shared
    by the LSOAs' mid-2020 residents (:func:`to_lsoa11`). Read once per reference (a batch asks
    once per edition), through the Parquet cache; the reference is not changed.

    Raises
    ------
    DataError
        When the census table (or, on LSOA 2011, the lookup) is missing, with the command that
        adds it, unreadable, or does not cover the reference's LSOAs (naming the file and the
        first codes that differ).
    """
    found = _CACHE.get(reference)
    if found is None:
        found = _CACHE[reference] = _read(reference)
    return found


def _read(reference: Reference) -> Ethnicity:
    """Read and place the census table on the reference's LSOAs (see :func:`ethnic_groups`)."""
    vintage = reference.vintage
    table, source = reference.extra(vintage.ethnicity)
    counts = table.set_index("lsoa21_code")[list(COLUMNS)].astype(float)
    lsoas = reference.lsoas.index
    if vintage.lsoa_year == 2021:
        imd = Path(reference.sources[vintage.datasets["imd"]].path).name
        same_codes(
            source,
            set(counts.index),
            set(lsoas),
            "LSOA 2021",
            imd,
            "the census table must cover every English LSOA 2021, and no other",
        )
        return Ethnicity(counts.reindex(lsoas), 0.0, 0, (source,))
    bridge, bridge_source = reference.extra(BRIDGE)
    carried = to_lsoa11(
        counts,
        bridge,
        reference.lsoas["population"],
        lookup=bridge_source.path,
        census=source.path,
    )
    return Ethnicity(carried.counts, carried.shared, carried.shared_lsoas, (source, bridge_source))
