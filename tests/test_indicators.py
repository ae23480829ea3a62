"""Chapter figures checked against an independent pandas computation on the publishers' files.

The expected values here are computed from the raw CSV files with plain pandas, without any of
hi_reports' loaders, joins or profiles.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hi_reports.geography import ENGLAND_CODE, membership, organisations, resolve
from hi_reports.indicators import imd_figures, overview_figures, rural_figures
from hi_reports.indicators.chapters import Subject


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> pd.DataFrame:
    """One row per English LSOA from the raw files: ICB, IMD decile, RUC class, residents."""
    imd = pd.read_csv(
        next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")),
        encoding="utf-8-sig",
    )
    imd = imd.rename(
        columns={"LSOA code (2011)": "lsoa", "Index of Multiple Deprivation (IMD) Decile": "decile"}
    )
    domains = pd.read_csv(
        next(data_dir.rglob("File_2_-_IoD2019_Domains_of_Deprivation.csv")), encoding="utf-8-sig"
    )
    domains = domains.rename(
        columns={
            "LSOA code (2011)": "lsoa",
            "Income Decile (where 1 is most deprived 10% of LSOAs)": "income",
        }
    )
    pop = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    pop = pop.rename(columns={"lsoa11_code": "lsoa", "total_population": "people"})
    pop["old"] = pop[[str(a) for a in range(65, 90)] + ["90+"]].sum(axis=1)
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    lookup = lookup.rename(
        columns={"lsoa11_code": "lsoa", "icb22_code_h": "icb", "ltla22_code": "la"}
    )
    ruc = pd.read_csv(next(data_dir.rglob("ruc11_lsoa11.csv"))).rename(
        columns={"lsoa11_code": "lsoa"}
    )
    table = lookup[["lsoa", "icb", "la"]].merge(imd[["lsoa", "decile"]], on="lsoa")
    table = table.merge(domains[["lsoa", "income"]], on="lsoa").merge(
        pop[["lsoa", "people", "old"]], on="lsoa"
    )
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
    assert figures["core20"]["share"].value == pytest.approx(
        core20 / mine["people"].sum(), rel=1e-12
    )
    england = raw.loc[raw["decile"] <= 2, "people"].sum() / raw["people"].sum()
    assert figures["core20"]["england_share"].value == pytest.approx(england, rel=1e-12)
    income_q1 = mine.loc[mine["income"] <= 2, "people"].sum() / mine["people"].sum()
    income = next(d for d in figures["domains"] if d["key"] == "income")
    assert income["share"].value == pytest.approx(income_q1, rel=1e-12)


def test_core20_rank_among_icbs(reference, icb_profiles, raw: pd.DataFrame) -> None:
    shares = (
        raw.assign(core=raw["people"].where(raw["decile"] <= 2, 0))
        .groupby("icb")[["core", "people"]]
        .sum()
    )
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
    assert (
        classes
        == mine.groupby("ruc11_code")["people"].sum().reindex(classes, fill_value=0).to_dict()
    )


def test_icbs_add_up_to_england(icb_profiles, raw: pd.DataFrame) -> None:
    others = icb_profiles.population.drop(ENGLAND_CODE)
    assert len(others) == 42
    assert (
        others.sum() == icb_profiles.population[ENGLAND_CODE] == raw["people"].sum() == 56_550_138
    )
    assert (
        icb_profiles.imd_decile.drop(ENGLAND_CODE)
        .sum()
        .equals(icb_profiles.imd_decile.loc[ENGLAND_CODE])
    )


def test_overview(reference, icb_profiles) -> None:
    names = {o.key: o for o in organisations(reference, "icb")}
    figures = overview_figures(
        Subject(resolve(reference, "QJM"), icb_profiles),
        reference.lsoas,
        membership(reference, "icb"),
        names,
    )
    assert figures["lsoas"].value == figures.lsoas.value == 420
    assert figures["local_authority_names"] == (
        "Boston",
        "East Lindsey",
        "Lincoln",
        "North Kesteven",
        "South Holland",
        "South Kesteven",
        "West Lindsey",
    )
    assert figures.parent_population is None and "parent_population" not in figures  # an ICB


def test_empty_groups_are_missing_not_zero(reference, icb_profiles) -> None:
    """North East London has no rural LSOAs: rural shares by quintile cannot be computed."""
    figures = rural_figures(Subject(resolve(reference, "QMF"), icb_profiles))
    assert figures["rural"]["residents"].value == 0
    assert not figures["has_rural"]
    assert all(row["rural"]["share"].missing for row in figures["by_quintile"])


def _printed(share: float) -> str:
    return f"{share * 100:.1f}"


def test_ranks_shared_as_printed_are_joint(reference, raw: pd.DataFrame) -> None:
    """Local authorities with no rural residents share one rank ("joint 257th of 309"), as do any
    whose rural shares print the same; the rank counts those printed higher, plus one."""
    from hi_reports import formatting
    from hi_reports.pipeline import kind_profiles

    raw = raw.assign(rural=raw["people"].where(raw["ruc11_code"].str[0].isin(["D", "E"]), 0))
    shares = raw.groupby("la")[["rural", "people"]].sum()
    printed = (shares["rural"] / shares["people"]).map(_printed).astype(float)
    profiles = kind_profiles(reference, "la")
    urban = printed.index[printed == 0.0]
    assert len(urban) > 40  # many all-urban authorities: the case the issue found
    for code in (urban[0], printed.idxmax(), printed.index[len(printed) // 2]):
        org = resolve(reference, code, "la")
        rank = rural_figures(Subject(org, profiles))["rural"]["rank"]
        higher, same = int((printed > printed[code]).sum()), int((printed == printed[code]).sum())
        assert (rank.value, rank.of) == (higher + 1, len(printed))
        assert (rank.tied or 1) == same
        text = formatting.rank(rank.value, rank.of, rank.tied)
        assert text == ("joint " if same > 1 else "") + f"{formatting.ordinal(higher + 1)} of 309"


def test_england_spread_is_true_as_printed(reference, icb_profiles, raw: pd.DataFrame) -> None:
    """The England edition's sentences on how ICBs vary: every ICB whose share prints as the lowest
    is named, and the middle ICBs it counts do lie between the two shares it prints."""
    from hi_reports.indicators.chapters import variation_figures

    names = {o.key: o for o in organisations(reference, "icb")}
    variation = variation_figures(icb_profiles, names)
    raw = raw.assign(
        rural=raw["people"].where(raw["ruc11_code"].str[0].isin(["D", "E"]), 0),
        core=raw["people"].where(raw["decile"] <= 2, 0),
    )
    sums = raw.groupby("icb")[["rural", "core", "people"]].sum()
    for key, column in (("rural", "rural"), ("core20", "core")):
        printed = (sums[column] / sums["people"]).map(_printed).astype(float)
        figures = variation[key]
        lowest = sorted(
            names[resolve(reference, c, "icb").key].name
            for c in printed.index[printed == printed.min()]
        )
        if len(lowest) <= 3:
            assert all(name in figures["lowest_name"] for name in lowest), (
                key,
                figures["lowest_name"],
            )
        else:
            assert figures["lowest_name"] == f"{len(lowest)} ICBs"
        low, high = (
            float(_printed(figures["middle_low"].value)),
            float(_printed(figures["middle_high"].value)),
        )
        assert figures["middle_count"].value == 42 - 2 * (42 // 4)
        assert ((printed >= low) & (printed <= high)).sum() >= figures["middle_count"].value
    assert " and " in variation["rural"]["lowest_name"]  # two London ICBs have no rural residents


@pytest.mark.parametrize("code", ["QHL", "QJM", "QRV"])
def test_the_domain_furthest_above_england(
    reference, icb_profiles, data_dir: Path, raw: pd.DataFrame, code
) -> None:
    """Each domain is read against England's share on the same domain (the domains are separate
    rankings): the domain named is the one whose printed share is the largest multiple of
    England's."""
    domains = pd.read_csv(
        next(data_dir.rglob("File_2_-_IoD2019_Domains_of_Deprivation.csv")), encoding="utf-8-sig"
    )
    deciles = {
        c.split(" Decile")[0].strip(): c
        for c in domains.columns
        if "Decile (where 1" in c and "IMD" not in c
    }
    table = raw[["lsoa", "icb", "people"]].merge(
        domains.rename(columns={"LSOA code (2011)": "lsoa"}), on="lsoa"
    )
    ratios = {}
    for title, column in deciles.items():
        q1 = table["people"].where(table[column] <= 2, 0)
        mine = q1[table["icb"] == code].sum() / table.loc[table["icb"] == code, "people"].sum()
        england = q1.sum() / table["people"].sum()
        ratios[title] = round(mine * 1000) / round(england * 1000)
    best = max(ratios.values())
    figures = imd_figures(Subject(resolve(reference, code), icb_profiles))
    assert figures["furthest_domain"]["titles"] == tuple(t for t, r in ratios.items() if r == best)
    assert figures.furthest_domain.above == (best > 1)
    assert [d.title for d in figures.furthest_domain.domains] == list(
        figures.furthest_domain.titles
    )


@pytest.mark.parametrize("code", ["QHL", "QJM"])
def test_the_spine_columns_of_core20(reference, icb_profiles, raw: pd.DataFrame, code: str) -> None:
    """The headline table's Core20 row: Wilson limits as PHEindicatormethods computes them, the
    marker against England, and the range of the three ICBs with the closest decile profiles, all
    computed here from the raw files."""
    from hi_reports.stats import wilson

    core = raw.assign(core=raw["people"].where(raw["decile"] <= 2, 0))
    by_icb = core.groupby("icb")[["core", "people"]].sum()
    figures = imd_figures(Subject(resolve(reference, code), icb_profiles))["core20"]
    lower, upper = wilson(by_icb.loc[code, "core"], by_icb.loc[code, "people"])
    assert (figures["lower"].value, figures["upper"].value) == (
        pytest.approx(lower, rel=1e-12),
        pytest.approx(upper, rel=1e-12),
    )
    england = core["core"].sum() / core["people"].sum()
    expected = "lower" if england > upper else "higher" if england < lower else "similar"
    assert figures["vs_england"] == expected
    assert expected == {"QHL": "higher", "QJM": "lower"}[code]  # 51.4% and 11.7% against 20.0%
    deciles = raw.pivot_table(
        index="icb", columns="decile", values="people", aggfunc="sum", fill_value=0
    )
    profile = deciles.div(deciles.sum(axis=1), axis=0)
    distance = ((profile - profile.loc[code]) ** 2).sum(axis=1).drop(code) ** 0.5
    closest = distance.sort_values(kind="stable").index[:3]
    shares = by_icb.loc[closest, "core"] / by_icb.loc[closest, "people"]
    assert figures["similar_low"].value == pytest.approx(shares.min(), rel=1e-12)
    assert figures["similar_high"].value == pytest.approx(shares.max(), rel=1e-12)
