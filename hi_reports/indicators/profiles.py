"""Residents of every organisation of a kind, by category, computed together.

A *profile* is a table with one row per organisation (and one for England) and one column per
category (IMD decile, RUC class, ...), holding weighted residents: the sum over LSOAs of
the organisation's weight for the LSOA times the LSOA's residents. Every organisation of a kind is
computed in one grouped sum, so a batch of 42 or 309 editions costs one pass over the LSOAs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from hi_reports.data import AGE_GROUPS, DEFAULT_VINTAGE, DOMAINS, VINTAGES, Reference, Vintage
from hi_reports.geography import ENGLAND_CODE

AGE_COLUMNS = [f"age_{label}" for label, _, _ in AGE_GROUPS]
AGE_LABELS = [label for label, _, _ in AGE_GROUPS]

#: The column of all residents in the census table (the five groups add up to it).
TOTAL = "total"
#: The ethnic minority groups of the five: every group but White. (The White group holds White
#: minorities too, Irish, Gypsy or Irish Traveller, Roma and Other White, which the broad groups
#: do not separate.)
MINORITY = ("mixed", "asian", "black", "other")
QUINTILES = (1, 2, 3, 4, 5)


def ethnic_profiles(
    reference: Reference, residents: pd.DataFrame, weights: pd.DataFrame
) -> pd.DataFrame:
    """Census residents of every organisation in ``weights`` by ethnic group and national IMD
    quintile, weighted.

    Parameters
    ----------
    reference
        The reference data (for each LSOA's IMD quintile).
    residents
        Census residents by LSOA, indexed like ``reference.lsoas``: one column per group and
        :data:`TOTAL` (see :func:`hi_reports.data.ethnicity.ethnic_groups`).
    weights
        Columns ``org``, ``lsoa_code``, ``weight``: every organisation to profile (England,
        the peers and the parent ICBs, as :func:`~hi_reports.indicators.compute_profiles` takes
        them).

    Returns
    -------
    DataFrame
        One row per organisation; columns (group, quintile) for each column of ``residents``,
        and ``minority`` (the groups of :data:`MINORITY` together), by quintile 1-5: weighted
        residents, 0 where none.
    """
    groups = [str(c) for c in residents.columns]
    positions = reference.lsoas.index.get_indexer(pd.Index(weights["lsoa_code"]))
    keep = positions >= 0
    values = residents.to_numpy(dtype=float)[positions[keep]]
    values = values * weights["weight"].to_numpy(dtype=float)[keep, None]
    quintile = reference.lsoas["imd_quintile"].to_numpy()[positions[keep]]
    orgs = weights["org"].to_numpy()[keep]
    summed = pd.DataFrame(values, columns=groups).groupby([orgs, quintile]).sum()
    table = pd.DataFrame(summed.unstack(level=1, fill_value=0.0))
    table = table.reindex(columns=pd.MultiIndex.from_product([groups, QUINTILES]), fill_value=0.0)
    cube = table.to_numpy().reshape(len(table), len(groups), len(QUINTILES))
    minority = cube[:, [groups.index(g) for g in MINORITY], :].sum(axis=1)
    columns = pd.MultiIndex.from_product([["minority"], QUINTILES])
    return table.join(pd.DataFrame(minority, index=table.index, columns=columns))


@dataclass(frozen=True)
class Profiles:
    """Weighted residents of every organisation of one kind, and of England (row
    :data:`~hi_reports.geography.ENGLAND_CODE`).

    Attributes
    ----------
    population
        Residents per organisation (Series).
    lsoas, rural_lsoas
        Number of LSOAs with a positive weight per organisation, and of those rural (Series).
    imd_decile, imd_quintile, ruc_class, urban_rural
        Residents by national IMD decile (1-10), quintile (1-5), RUC class of the vintage and
        Urban/Rural; one row per organisation.
    domain_q1
        Residents in the most deprived national quintile of each IoD domain (columns: domain keys).
    age
        Residents by broad age group (``0-15``, ``16-64``, ``65+``).
    age_by_quintile
        Residents by IMD quintile and age group (columns: MultiIndex quintile, age group).
    age_by_urban_rural
        Residents by Urban/Rural and age group.
    rural_by_quintile
        Residents by Urban/Rural and IMD quintile.
    peers
        The organisations of the kind computed, among which editions rank (England is always a
        row, and parent ICBs may be rows too, but neither is a peer unless it is of the kind).
    vintage
        The vintage of the reference data they were computed from.
    ethnicity
        Census 2021 residents by broad ethnic group and national IMD quintile (columns: group,
        quintile; see :func:`ethnic_profiles`), when computed.
    """

    population: pd.Series
    lsoas: pd.Series
    rural_lsoas: pd.Series
    imd_decile: pd.DataFrame
    imd_quintile: pd.DataFrame
    ruc_class: pd.DataFrame
    urban_rural: pd.DataFrame
    domain_q1: pd.DataFrame
    age: pd.DataFrame
    age_by_quintile: pd.DataFrame
    age_by_urban_rural: pd.DataFrame
    rural_by_quintile: pd.DataFrame
    peers: tuple[str, ...] = ()
    vintage: Vintage = VINTAGES[DEFAULT_VINTAGE]
    ethnicity: pd.DataFrame | None = None


def _weighted(reference: Reference, weights: pd.DataFrame) -> pd.DataFrame:
    """Join the weights to the LSOA table, scaling residents and age groups by the weight."""
    columns = ["population", *AGE_COLUMNS]
    lsoas = reference.lsoas
    frame = weights.join(lsoas, on="lsoa_code", how="inner")
    frame[columns] = frame[columns].mul(frame["weight"], axis=0)
    return frame


def _by(frame: pd.DataFrame, column: str | list[str], value: str = "population") -> pd.DataFrame:
    """``value`` summed by organisation (rows) and ``column`` (columns), 0 where none."""
    table = frame.groupby(["org", *([column] if isinstance(column, str) else column)])[value].sum()
    levels = list(range(1, table.index.nlevels))
    return table.unstack(levels, fill_value=0)  # 0 in a column of floats: 0.0


def compute_profiles(
    reference: Reference,
    weights: pd.DataFrame,
    extra: pd.DataFrame | None = None,
    *,
    ethnicity: pd.DataFrame | None = None,
) -> Profiles:
    """Compute the profiles of every organisation in ``weights``, and England.

    Parameters
    ----------
    reference
        The reference data.
    weights
        Columns ``org``, ``lsoa_code``, ``weight`` (see :func:`hi_reports.geography.membership`):
        the organisations of one kind, the peers.
    extra
        Weights of other organisations to profile alongside (parent ICBs), in the same format.
    ethnicity
        Census residents by LSOA and ethnic group, indexed like ``reference.lsoas`` (see
        :func:`hi_reports.data.ethnicity.ethnic_groups`): profiled too when given.
    """
    peers = tuple(pd.unique(weights["org"]))
    parts = [weights]
    if extra is not None:
        parts.append(extra[~extra["org"].isin(peers)])
    if ENGLAND_CODE not in peers:
        parts.append(
            pd.DataFrame(
                {"org": ENGLAND_CODE, "lsoa_code": reference.lsoas.index.to_numpy(), "weight": 1.0}
            )
        )
    everyone = pd.concat(parts, ignore_index=True)
    frame = _weighted(reference, everyone)
    grouped = frame.groupby("org")
    population = grouped["population"].sum()
    held = frame[frame["weight"] > 0]
    lsoas = held.groupby("org")["lsoa_code"].nunique()
    rural_lsoas = held[held["urban_rural"] == "Rural"].groupby("org")["lsoa_code"].nunique()

    imd_decile = _by(frame, "imd_decile").reindex(columns=range(1, 11), fill_value=0.0)
    imd_quintile = _by(frame, "imd_quintile").reindex(columns=range(1, 6), fill_value=0.0)
    ruc_codes = [c.code for c in reference.vintage.ruc_classes]
    ruc_class = _by(frame, "ruc_code").reindex(columns=ruc_codes, fill_value=0.0)
    urban_rural = _by(frame, "urban_rural").reindex(columns=["Urban", "Rural"], fill_value=0.0)
    domain_q1 = pd.DataFrame(
        {
            key: frame["population"]
            .where(frame[f"{key}_decile"] <= 2, 0.0)
            .groupby(frame["org"])
            .sum()
            for key, _, _ in DOMAINS
        }
    )
    age = grouped[AGE_COLUMNS].sum()
    age.columns = pd.Index(AGE_LABELS)

    def age_by(column: str, categories: Sequence[int | str]) -> pd.DataFrame:
        """Residents by ``column`` and age group: columns (category, age group)."""
        by_age = {
            label: _by(frame, column, value)
            for label, value in zip(AGE_LABELS, AGE_COLUMNS, strict=True)
        }
        table = pd.concat(by_age, axis=1).swaplevel(0, 1, axis=1)
        full = pd.MultiIndex.from_product([categories, AGE_LABELS])
        return table.reindex(columns=full, fill_value=0.0)

    rural_by_quintile = _by(frame, ["urban_rural", "imd_quintile"])
    rural_by_quintile = rural_by_quintile.reindex(
        columns=pd.MultiIndex.from_product([["Urban", "Rural"], range(1, 6)]), fill_value=0.0
    )
    order = population.index
    return Profiles(
        population=population,
        lsoas=lsoas.reindex(order, fill_value=0),
        rural_lsoas=rural_lsoas.reindex(order, fill_value=0),
        imd_decile=imd_decile.reindex(order, fill_value=0.0),
        imd_quintile=imd_quintile.reindex(order, fill_value=0.0),
        ruc_class=ruc_class.reindex(order, fill_value=0.0),
        urban_rural=urban_rural.reindex(order, fill_value=0.0),
        domain_q1=domain_q1.reindex(order, fill_value=0.0),
        age=age.reindex(order, fill_value=0.0),
        age_by_quintile=age_by("imd_quintile", list(range(1, 6))).reindex(order, fill_value=0.0),
        age_by_urban_rural=age_by("urban_rural", ["Urban", "Rural"]).reindex(order, fill_value=0.0),
        rural_by_quintile=rural_by_quintile.reindex(order, fill_value=0.0),
        peers=peers,
        vintage=reference.vintage,
        ethnicity=None
        if ethnicity is None
        else ethnic_profiles(reference, ethnicity, everyone).reindex(order, fill_value=0.0),
    )


def core20_share(reference: Reference, weights: pd.DataFrame, key: str) -> float:
    """The share of ``key``'s residents in national IMD quintile 1, from its weights alone (no
    profiles of its peers or England: the comparison of vintages needs one number)."""
    mine = weights[weights["org"] == key]
    lsoas = reference.lsoas.reindex(mine["lsoa_code"].to_numpy())
    people = lsoas["population"].to_numpy(dtype=float) * mine["weight"].to_numpy(dtype=float)
    return float(people[lsoas["imd_quintile"].to_numpy() == 1].sum() / people.sum())
