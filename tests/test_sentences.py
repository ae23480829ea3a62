"""Sentences that must hold for the organisation they are printed for, checked on the edge cases
that showed them false: an authority split between ICBs, a trust whose catchment spreads over many.

Expected values are computed here from the publishers' CSV files with plain pandas.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from hi_reports.cli import main


def _text(edition: Path, page: str) -> str:
    html = (edition / "html" / f"{page}.html").read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


@pytest.fixture(scope="module")
def editions(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sentences")
    for code, kind in (("E07000225", "la"), ("R1H", "trust"), ("QHL", "icb")):
        assert main(["build", "--org", code, "--kind", kind, "--data-dir", str(data_dir), "--out", str(out),
                     "--format", "html", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def lsoas(data_dir: Path) -> pd.DataFrame:
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    people = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    return lookup.merge(people[["lsoa11_code", "total_population"]], on="lsoa11_code")


@pytest.mark.slow
def test_an_authority_split_between_icbs_accounts_for_every_resident(editions: Path, lsoas) -> None:
    """Chichester: "Its residents live in NHS Sussex ICB (94.5%)" left out the 5.5% in another."""
    mine = lsoas[lsoas["ltla22_code"] == "E07000225"]
    by_icb = mine.groupby("icb22_name")["total_population"].sum().sort_values(ascending=False)
    shares = by_icb / by_icb.sum()
    assert len(shares) == 2 and shares.iloc[1] > 0.01
    text = _text(editions / "E07000225", "intro")
    expected = (f"Its residents live in {shares.index[0]} ({shares.iloc[0] * 100:.1f}%) and "
                f"{shares.iloc[1] * 100:.1f}% in 1 other ICB;")
    assert expected in text, re.findall(r"Its residents live in[^;]*;", text)


@pytest.mark.slow
def test_a_trust_catchment_spread_over_icbs_adds_up(editions: Path) -> None:
    text = _text(editions / "R1H", "intro")
    sentence = re.search(r"Most of the catchment lives in ([^;]*);", text)
    assert sentence is not None
    shares = [float(s) for s in re.findall(r"(\d+\.\d)%", sentence.group(1))]
    assert re.search(r"in \d+ other ICBs?$", sentence.group(1)), sentence.group(1)
    assert sum(shares) == pytest.approx(100.0, abs=0.05 * len(shares))


@pytest.mark.slow
def test_a_column_headed_england_says_which_residents_it_holds(editions: Path, data_dir: Path) -> None:
    """QHL's table of rural residents by age: its England column holds England's rural residents
    (65+: 25.4%), not all of England's (18.5%), and its heading says so."""
    people = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    ruc = pd.read_csv(next(data_dir.rglob("ruc11_lsoa11.csv")))
    table = people.merge(ruc[["lsoa11_code", "ruc11_code"]], on="lsoa11_code")
    rural = table[table["ruc11_code"].str[0].isin(["D", "E"]) & table["lsoa11_code"].str.startswith("E")]
    old = rural[[str(a) for a in range(65, 90)] + ["90+"]].sum().sum() / rural["total_population"].sum()
    page = BeautifulSoup((editions / "QHL" / "html" / "rural.html").read_text(encoding="utf-8"), "html.parser")
    caption = page.find(string=re.compile("Age structure of urban and rural residents"))
    rows = caption.find_parent("table").find_all("tr")
    head = [c.get_text(" ", strip=True) for c in rows[0].find_all(["th", "td"])]
    assert head[-2:] == ["Share of rural", "England, share of rural"]  # an ICB has no parent column
    last = {r.find_all(["th", "td"])[0].get_text(strip=True): r.find_all(["th", "td"])[-1].get_text(strip=True)
            for r in rows[1:]}
    assert last["65+"] == f"{old * 100:.1f}%"
