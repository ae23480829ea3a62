"""PLUS groups (issue 18): each ethnic group's Core20 share, checked against an independent
computation from the publishers' raw files, for two ICBs on both vintages and for one trust."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hi_reports.data import load_reference
from hi_reports.geography import resolve
from hi_reports.indicators.plus import MIN_RESIDENTS, plus_figures
from hi_reports.pipeline import kind_profiles

GROUPS = ("white", "mixed", "asian", "black", "other")
#: demographr's column names of the reference copy of TS021, by group
CENSUS_COLUMNS = {
    "total_usual_residents": "total",
    "white": "white",
    "mixed_or_multiple_ethnic_groups": "mixed",
    "asian_asian_british_or_asian_welsh": "asian",
    "black_black_british_black_welsh_caribbean_or_african": "black",
    "other_ethnic_group": "other",
}


def _file(data_dir: Path, name: str) -> Path:
    return next(data_dir.rglob(name))


def _census(data_dir: Path) -> pd.DataFrame:
    census = pd.read_csv(_file(data_dir, "ethnicity_lsoa21.csv"))
    return census.rename(columns=CENSUS_COLUMNS).set_index("lsoa21_code")[["total", *GROUPS]]


def _census_on_lsoa11(data_dir: Path) -> pd.DataFrame:
    """The census carried to LSOAs 2011, written here from the raw files without the package: a
    2021 LSOA with one 2011 parent goes to it; one with several is shared by their mid-2020
    residents."""
    census = _census(data_dir)
    bridge = pd.read_csv(_file(data_dir, "lookup_lsoa11_lsoa21_ltla22.csv"))
    bridge = bridge[bridge["lsoa21_code"].str.startswith("E01")]
    population = pd.read_csv(
        _file(data_dir, "population20_lsoa11_single_year_of_age.csv"),
        usecols=["lsoa11_code", "total_population"],
    ).set_index("lsoa11_code")["total_population"]
    bridge = bridge.assign(people=bridge["lsoa11_code"].map(population).astype(float))
    bridge["part"] = bridge["people"] / bridge.groupby("lsoa21_code")["people"].transform("sum")
    carried = census.loc[bridge["lsoa21_code"]].to_numpy() * bridge["part"].to_numpy()[:, None]
    frame = pd.DataFrame(carried, columns=census.columns)
    return frame.groupby(bridge["lsoa11_code"].to_numpy()).sum()


def _core20_shares(census: pd.DataFrame, weight: pd.Series, quintile1: pd.Series) -> pd.Series:
    """Each group's share of its (weighted) residents in quintile 1."""
    people = census.loc[weight.index].mul(weight, axis=0)
    core = people[quintile1.reindex(people.index).to_numpy()]
    return core.sum() / people.sum()


def _plus(org, table: pd.DataFrame):
    """The PLUS figures of ``org`` from its kind's ethnic profiles, without a parent."""
    groups = [(g, g) for g in GROUPS]
    return plus_figures(
        org, table, groups=groups, parent=None, source="test", shared=0.0, shared_source="test"
    )


def _figures(reference, kind: str, code: str):
    profiles = kind_profiles(reference, kind)
    assert profiles.ethnicity is not None
    return _plus(resolve(reference, code, kind), profiles.ethnicity)


@pytest.fixture(scope="module")
def reference_2025(data_dir: Path):
    return load_reference(data_dir, "2025")


@pytest.mark.slow
@pytest.mark.parametrize("icb", ["QHL", "QRV"])
def test_each_groups_core20_share_of_an_icb_on_2021_lsoas(
    data_dir: Path, reference_2025, icb: str
) -> None:
    census = _census(data_dir)
    imd = pd.read_csv(_file(data_dir, "imd2025_england_lsoa21.csv"), usecols=[0, 1])
    quintile1 = pd.Series((imd["IMD_decile"] <= 2).to_numpy(), index=imd["lsoa21_code"])
    lookup = pd.read_csv(_file(data_dir, "lookup_lsoa21_sicbl24_icb24.csv"))
    mine = lookup.loc[lookup["icb24_code_nhs"] == icb, "lsoa21_code"]
    expected = _core20_shares(census, pd.Series(1.0, index=mine.to_numpy()), quintile1)
    figures = _figures(reference_2025, "icb", icb)
    for group in figures.groups:
        assert group.core20.value == pytest.approx(expected[group.key], abs=1e-12)
        assert group.residents.value == pytest.approx(census.loc[mine, group.key].sum())
    assert figures.all.core20.value == pytest.approx(expected["total"], abs=1e-12)
    # the ratio is the group's share over all residents' share, and some group differs from 1
    asian = next(g for g in figures.groups if g.key == "asian")
    assert asian.ratio.value == pytest.approx(expected["asian"] / expected["total"])
    assert any(abs(g.ratio.value - 1) > 0.1 for g in figures.groups)


@pytest.mark.slow
@pytest.mark.parametrize("icb", ["QHL", "QRV"])
def test_each_groups_core20_share_of_an_icb_on_2011_lsoas(
    data_dir: Path, reference, icb: str
) -> None:
    census = _census_on_lsoa11(data_dir)
    imd = pd.read_csv(_file(data_dir, "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"))
    quintile1 = pd.Series(
        (imd["Index of Multiple Deprivation (IMD) Decile"] <= 2).to_numpy(),
        index=imd["LSOA code (2011)"],
    )
    lookup = pd.read_csv(_file(data_dir, "lookup_lsoa11_sicbl22_icb22_ltla22.csv"))
    mine = lookup.loc[lookup["icb22_code_h"] == icb, "lsoa11_code"]
    expected = _core20_shares(census, pd.Series(1.0, index=mine.to_numpy()), quintile1)
    figures = _figures(reference, "icb", icb)
    for group in figures.groups:
        assert group.core20.value == pytest.approx(expected[group.key], abs=1e-9)
    assert figures.all.core20.value == pytest.approx(expected["total"], abs=1e-9)


@pytest.mark.slow
def test_each_groups_core20_share_of_a_trusts_catchment(data_dir: Path, reference) -> None:
    """RXK (Sandwell and West Birmingham): each MSOA's residents shared by the trust's share of its
    admitted patients, each LSOA 2011 taking its MSOA's share (OHID's catchment method)."""
    census = _census_on_lsoa11(data_dir)
    catchment = pd.read_csv(_file(data_dir, "trust_catchment_msoa11_2019_proportions.csv"))
    msoas = pd.read_csv(_file(data_dir, "lookup_lsoa11_msoa11.csv"))
    share = catchment[catchment["trust_code"] == "RXK"].set_index("msoa_code")["proportion"]
    weight = msoas.set_index("lsoa11_code")["msoa11_code"].map(share).dropna()
    imd = pd.read_csv(_file(data_dir, "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"))
    quintile1 = pd.Series(
        (imd["Index of Multiple Deprivation (IMD) Decile"] <= 2).to_numpy(),
        index=imd["LSOA code (2011)"],
    )
    expected = _core20_shares(census, weight, quintile1)
    figures = _figures(reference, "trust", "RXK")
    for group in figures.groups:
        assert group.core20.value == pytest.approx(expected[group.key], abs=1e-9)
        residents = census.loc[weight.index, group.key].mul(weight).sum()
        assert group.residents.value == pytest.approx(residents)
        assert group.stable == (residents >= MIN_RESIDENTS)


def test_a_group_too_small_for_a_stable_share_is_marked_and_its_ratio_still_defined(
    synthetic_dir: Path,
) -> None:
    """On the synthetic country: the shares of every group add up over the quintiles, and the
    figures say which groups are too small to print."""
    reference = load_reference(synthetic_dir)
    profiles = kind_profiles(reference, "icb")
    assert profiles.ethnicity is not None
    for code in profiles.peers:
        figures = _plus(resolve(reference, code, "icb"), profiles.ethnicity)
        for group in (figures.all, *figures.groups):
            total = sum(q.value for q in group.quintiles)
            assert total == pytest.approx(1.0) or np.isnan(total)
            assert group.core20.value == group.quintiles[0].value or np.isnan(group.core20.value)
        assert figures.unstable == tuple(g.name for g in figures.groups if not g.stable)
        residents = sum(g.residents.value for g in figures.groups)
        assert residents == pytest.approx(figures.all.residents.value)


@pytest.mark.slow
def test_the_map_counts_the_core20_neighbourhoods_with_a_minority_majority(
    data_dir: Path, edition
) -> None:
    """The PLUS map of QHL (2011 LSOAs): its title's counts, checked from the raw files, and its
    annex rows; a local edition's chapter prints it with alt text."""
    import re

    census = _census_on_lsoa11(data_dir)
    imd = pd.read_csv(_file(data_dir, "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"))
    decile = imd.set_index("LSOA code (2011)")["Index of Multiple Deprivation (IMD) Decile"]
    lookup = pd.read_csv(_file(data_dir, "lookup_lsoa11_sicbl22_icb22_ltla22.csv"))
    mine = lookup.loc[lookup["icb22_code_h"] == "QHL", "lsoa11_code"]
    core = mine[decile.reindex(mine).to_numpy() <= 2]
    minority = census.loc[core, ["mixed", "asian", "black", "other"]].sum(axis=1)
    majority = int((minority / census.loc[core, "total"] >= 0.5).sum())
    title = f"In {majority:,} of the {len(core):,} Core20 neighbourhoods, half or more of the"
    annex = pd.read_csv(edition.folder / "annex.csv")
    values = dict(zip(annex["key"], annex["value"], strict=False))
    assert values["maps.plus.core20_lsoas"] == len(core)
    assert values["maps.plus.majority_lsoas"] == majority
    html = (edition.folder / "html" / "plus.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", html)
    assert title in text and 'alt="Map of the' in text
    # every group's Core20 share in the chapter's table is in the annex, as printed
    assert all(f"plus.{g}.core20" in values for g in GROUPS)
