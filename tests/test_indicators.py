"""Chapter figures checked against an independent pandas computation on the publishers' files.

The expected values here are computed from the raw CSV files with plain pandas, without any of
hi_reports' loaders, joins or profiles.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hi_reports.geography import membership, organisations, resolve
from hi_reports.indicators import ENGLAND, imd_figures, overview_figures, rural_figures
from hi_reports.indicators.chapters import Subject


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> pd.DataFrame:
    """One row per English LSOA from the raw files: ICB, IMD decile, RUC class, residents."""
    imd = pd.read_csv(next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")), encoding="utf-8-sig")
    imd = imd.rename(columns={"LSOA code (2011)": "lsoa", "Index of Multiple Deprivation (IMD) Decile": "decile"})
    domains = pd.read_csv(next(data_dir.rglob("File_2_-_IoD2019_Domains_of_Deprivation.csv")), encoding="utf-8-sig")
    domains = domains.rename(columns={"LSOA code (2011)": "lsoa", "Income Decile (where 1 is most deprived 10% of LSOAs)": "income"})
    pop = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    pop = pop.rename(columns={"lsoa11_code": "lsoa", "total_population": "people"})
    pop["old"] = pop[[str(a) for a in range(65, 90)] + ["90+"]].sum(axis=1)
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    lookup = lookup.rename(columns={"lsoa11_code": "lsoa", "icb22_code_h": "icb"})
    ruc = pd.read_csv(next(data_dir.rglob("ruc11_lsoa11.csv"))).rename(columns={"lsoa11_code": "lsoa"})
    table = lookup[["lsoa", "icb"]].merge(imd[["lsoa", "decile"]], on="lsoa")
    table = table.merge(domains[["lsoa", "income"]], on="lsoa").merge(pop[["lsoa", "people", "old"]], on="lsoa")
    table = table.merge(ruc[["lsoa", "ruc11_code"]], on="lsoa")
    assert len(table) == 32_844
    return table


@pytest.mark.parametrize("code", ["QHL", "QJM", "QOP", "QRV"])
def test_decile_counts_and_core20(reference, icb_profiles, raw: pd.DataFrame, code: str) -> None:
    figures = imd_figures(Subject(resolve(reference, code), icb_profiles))
    mine = raw[raw["icb"] == code]
    by_decile = mine.groupby("decile")["people"].sum().reindex(range(1, 11), fill_value=0)
    assert [row["residents"].value for row in figures["deciles"]] == by_decile.tolist()
    core20 = mine.loc[mine["decile"] <= 2, "people"].sum()
    assert figures["core20"]["residents"].value == core20
    assert figures["core20"]["share"].value == pytest.approx(core20 / mine["people"].sum(), rel=1e-12)
    england = raw.loc[raw["decile"] <= 2, "people"].sum() / raw["people"].sum()
    assert figures["core20"]["england_share"].value == pytest.approx(england, rel=1e-12)
    income_q1 = mine.loc[mine["income"] <= 2, "people"].sum() / mine["people"].sum()
    income = next(d for d in figures["domains"] if d["key"] == "income")
    assert income["share"].value == pytest.approx(income_q1, rel=1e-12)


def test_core20_rank_among_icbs(reference, icb_profiles, raw: pd.DataFrame) -> None:
    shares = raw.assign(core=raw["people"].where(raw["decile"] <= 2, 0)).groupby("icb")[["core", "people"]].sum()
    shares = (shares["core"] / shares["people"]).sort_values(ascending=False)
    for position, code in enumerate(shares.index[:5], start=1):
        rank = imd_figures(Subject(resolve(reference, code), icb_profiles))["core20"]["rank"]
        assert (rank.value, rank.of) == (position, 42)


@pytest.mark.parametrize("code", ["QJM", "QHL"])
def test_rural_share(reference, icb_profiles, raw: pd.DataFrame, code: str) -> None:
    figures = rural_figures(Subject(resolve(reference, code), icb_profiles))
    mine = raw[raw["icb"] == code]
    rural = mine.loc[mine["ruc11_code"].isin(["D1", "D2", "E1", "E2"]), "people"].sum()
    assert figures["rural"]["residents"].value == rural
    assert figures["rural"]["share"].value == pytest.approx(rural / mine["people"].sum(), rel=1e-12)
    old_rural = mine.loc[mine["ruc11_code"].str[0].isin(["D", "E"]), "old"].sum() / rural
    assert figures["age"][2]["rural"]["share"].value == pytest.approx(old_rural, rel=1e-12)
    classes = {row["code"]: row["residents"].value for row in figures["classes"]}
    assert classes == mine.groupby("ruc11_code")["people"].sum().reindex(classes, fill_value=0).to_dict()


def test_icbs_add_up_to_england(icb_profiles, raw: pd.DataFrame) -> None:
    others = icb_profiles.population.drop(ENGLAND)
    assert len(others) == 42
    assert others.sum() == icb_profiles.population[ENGLAND] == raw["people"].sum() == 56_550_138
    assert icb_profiles.imd_decile.drop(ENGLAND).sum().equals(icb_profiles.imd_decile.loc[ENGLAND])


def test_overview(reference, icb_profiles) -> None:
    names = {o.key: o for o in organisations(reference, "icb")}
    figures = overview_figures(Subject(resolve(reference, "QJM"), icb_profiles), reference.lsoas,
                               membership(reference, "icb"), names)
    assert figures["lsoas"].value == 420
    assert figures["local_authority_names"] == [
        "Boston", "East Lindsey", "Lincoln", "North Kesteven", "South Holland", "South Kesteven", "West Lindsey",
    ]


def test_empty_groups_are_missing_not_zero(reference, icb_profiles) -> None:
    """North East London has no rural LSOAs: rural shares by quintile cannot be computed."""
    figures = rural_figures(Subject(resolve(reference, "QMF"), icb_profiles))
    assert figures["rural"]["residents"].value == 0
    assert not figures["has_rural"]
    assert all(row["rural"]["share"].missing for row in figures["by_quintile"])
