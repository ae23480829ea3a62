"""Every kind of organisation, checked against independent computations on the raw files, and
one edition of each kind built and read back."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from hi_reports.errors import GeographyError
from hi_reports.geography import ENGLAND_CODE, organisations, resolve
from hi_reports.indicators import Subject, imd_figures, similar
from hi_reports.pipeline import EditionRequest, build_edition, kind_profiles

from .conftest import need_tool


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> pd.DataFrame:
    """LSOA table from the raw files: sub-ICB, ICB, LAD, MSOA, IMD decile, residents."""
    imd = pd.read_csv(
        next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")),
        encoding="utf-8-sig",
    )
    imd = imd.rename(
        columns={
            "LSOA code (2011)": "lsoa11_code",
            "Index of Multiple Deprivation (IMD) Decile": "decile",
        }
    )
    pop = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    msoa = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_msoa11.csv")))
    table = (
        lookup.merge(imd[["lsoa11_code", "decile"]], on="lsoa11_code")
        .merge(pop[["lsoa11_code", "total_population"]], on="lsoa11_code")
        .merge(msoa[["lsoa11_code", "msoa11_code"]], on="lsoa11_code")
    )
    return table.rename(columns={"total_population": "people"})


def _core20(frame: pd.DataFrame, weight: pd.Series | float = 1.0) -> tuple[float, float]:
    people = frame["people"] * weight
    return float(people.sum()), float(people[frame["decile"] <= 2].sum() / people.sum())


@pytest.mark.parametrize(
    ("kind", "code", "select"),
    [
        ("england", "england", lambda t: t),
        ("icb", "QHL", lambda t: t[t["icb22_code_h"] == "QHL"]),
        ("sub-icb", "15E", lambda t: t[t["sicbl22_code_h"] == "15E"]),
        ("la", "E08000025", lambda t: t[t["ltla22_code"] == "E08000025"]),
    ],
)
def test_population_and_core20_of_each_kind(reference, raw, kind, code, select) -> None:
    org = resolve(reference, code)
    assert org.kind == kind
    figures = imd_figures(Subject(org, kind_profiles(reference, kind)))
    population, share = _core20(select(raw))
    assert sum(row["residents"].value for row in figures["deciles"]) == population
    assert figures["core20"]["share"].value == pytest.approx(share, rel=1e-12)


@pytest.mark.slow
def test_trust_catchment_weighted_sum(reference, raw, data_dir) -> None:
    catchment = pd.read_csv(next(data_dir.rglob("trust_catchment_msoa11_2019_proportions.csv")))
    rxk = catchment[catchment["trust_code"] == "RXK"].set_index("msoa_code")["proportion"]
    weight = raw["msoa11_code"].map(rxk).fillna(0.0)
    population, share = _core20(raw, weight)
    org = resolve(reference, "rxk")
    assert (org.kind, org.name) == ("trust", "Sandwell and West Birmingham Hospitals NHS Trust")
    profiles = kind_profiles(reference, "trust")
    figures = imd_figures(Subject(org, profiles))
    assert profiles.population["RXK"] == pytest.approx(population, rel=1e-12)
    assert figures["core20"]["share"].value == pytest.approx(share, rel=1e-12)
    assert figures["core20"]["rank"].of == 136  # open trusts; an edition ranks among its group
    # its parent ICBs: those holding 10% or more of the catchment, largest first
    by_icb = (raw["people"] * weight).groupby(raw["icb22_code"]).sum()
    by_icb = (by_icb / by_icb.sum()).sort_values(ascending=False)
    assert org.parents == tuple(by_icb[by_icb >= 0.10].index)


@pytest.mark.slow
def test_counts_of_each_kind(reference) -> None:
    counts = {
        kind: len(organisations(reference, kind))
        for kind in ("england", "icb", "sub-icb", "la", "trust")
    }
    assert counts == {
        "england": 1,
        "icb": 42,
        "sub-icb": 106,
        "la": 309,
        "trust": 136,
    }  # RW6, RBZ closed


def test_sub_icbs_nest_in_their_icb(reference, raw) -> None:
    subs = kind_profiles(reference, "sub-icb")
    icbs = kind_profiles(reference, "icb")
    parent_of = raw.groupby("sicbl22_code")["icb22_code"].agg(set)
    assert (parent_of.map(len) == 1).all()
    total = pd.Series(0.0, index=icbs.population.index)
    for org in organisations(reference, "sub-icb"):
        assert org.parents == (next(iter(parent_of[org.ons_code])),)
        total[org.parents[0]] += subs.population[org.key]
    assert total.drop(ENGLAND_CODE).equals(icbs.population.drop(ENGLAND_CODE))
    assert subs.population.reindex(subs.peers).sum() == subs.population[ENGLAND_CODE]


def test_kinds_add_up_to_england(reference) -> None:
    for kind in ("icb", "sub-icb", "la"):
        profiles = kind_profiles(reference, kind)
        assert (
            profiles.population.reindex(profiles.peers).sum() == profiles.population[ENGLAND_CODE]
        ), kind


def test_similar_organisations_by_decile_profile(reference) -> None:
    profiles = kind_profiles(reference, "icb")
    shares = profiles.imd_decile.div(profiles.population, axis=0).loc[list(profiles.peers)]
    me = resolve(reference, "QHL").key
    distance = ((shares - shares.loc[me]) ** 2).sum(axis=1).drop(me).sort_values()
    assert similar(profiles, me) == distance.index[:3].tolist()


def test_kind_restricts_resolution(reference) -> None:
    assert resolve(reference, "E08000025", kind="la").name == "Birmingham"
    with pytest.raises(
        GeographyError,
        match=r"'QHL' is not a sub-icb code: it is NHS Birmingham and Solihull Integrated Care "
        r"Board \(kind icb\) \(choose kind icb, or leave the kind out\)",
    ) as caught:
        resolve(reference, "QHL", kind="sub-icb")
    assert caught.value.option == "kind" and "--" not in str(caught.value)
    assert resolve(reference, ENGLAND_CODE).kind == "england"


@pytest.mark.parametrize(
    ("code", "name", "kind_words"),
    [
        ("RXK", "Sandwell and West Birmingham Hospitals NHS Trust", "acute NHS trust"),
        ("15E", "NHS Birmingham and Solihull ICB - 15E", "Sub ICB Location"),
        ("E08000025", "Birmingham", "local authority district"),
        ("england", "England", "public edition"),
    ],
)
@pytest.mark.slow
def test_edition_of_each_kind(
    reference, tmp_path: Path, code: str, name: str, kind_words: str
) -> None:
    edition = build_edition(
        EditionRequest(org=code, out=tmp_path, formats=("html", "pdf"), engine="builtin"),
        reference=reference,
    )
    pdftotext = need_tool("pdftotext")
    text = subprocess.run(
        [pdftotext, str(edition.outputs["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert name in flat and kind_words in flat
    assert "Methods, sources and reproduction" in flat
    pages = {p.stem for p in edition.outputs["html"].parent.glob("*.html")}
    assert pages == {"index", "intro", "imd", "rural", "plus", "summary", "methods"}
    intro = BeautifulSoup(
        (edition.outputs["html"].parent / "intro.html").read_text(encoding="utf-8"), "html.parser"
    )
    words = re.sub(r"\s+", " ", intro.get_text(" "))
    if code == "RXK":
        assert "modelled catchment" in words and "NHS Black Country Integrated Care Board" in words
    if code in ("15E", "E08000025"):
        assert "NHS Birmingham and Solihull Integrated Care Board" in words
    if code == "england":
        assert "42 Integrated Care Boards" in words
