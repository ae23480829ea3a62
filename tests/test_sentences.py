"""Sentences that must hold for the organisation they are printed for, checked on the edge cases
that showed them false: an authority split between ICBs, a trust whose catchment spreads over many.

Expected values are computed here from the publishers' CSV files with plain pandas.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from hi_reports.cli.main import main


def _text(edition: Path, page: str) -> str:
    html = (edition / "html" / f"{page}.html").read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


@pytest.fixture(scope="module")
def editions(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sentences")
    for code, kind in (
        ("E07000225", "la"),
        ("R1H", "trust"),
        ("QHL", "icb"),
        ("RBS", "trust"),
        ("RXK", "trust"),
        ("E08000025", "la"),
    ):
        assert (
            main(
                [
                    "build",
                    "--org",
                    code,
                    "--kind",
                    kind,
                    "--data-dir",
                    str(data_dir),
                    "--out",
                    str(out),
                    "--format",
                    "html",
                    "--quiet",
                ]
            )
            == 0
        )
    return out


@pytest.fixture(scope="module")
def lsoas(data_dir: Path) -> pd.DataFrame:
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    people = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    return lookup.merge(people[["lsoa11_code", "total_population"]], on="lsoa11_code")


@pytest.fixture(scope="module")
def trust_lsoas(data_dir: Path) -> Callable[[str], pd.DataFrame]:
    """A trust's catchment by LSOA from OHID's, ONS's and the RUC's files: each LSOA of its MSOAs
    with the MSOA's ``proportion`` of admitted patients, ``total_population`` (mid-2020) and its
    RUC 2011 class (``ruc``, ``ruc11_code``)."""
    catchment = pd.read_csv(next(data_dir.rglob("trust_catchment_msoa11_2019_proportions.csv")))
    msoas = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_msoa11.csv")))
    people = pd.read_csv(
        next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")),
        usecols=["lsoa11_code", "total_population"],
    )
    ruc = pd.read_csv(next(data_dir.rglob("ruc11_lsoa11.csv")))

    def lsoas(code: str) -> pd.DataFrame:
        mine = catchment[catchment["trust_code"] == code]
        return (
            msoas.merge(mine, left_on="msoa11_code", right_on="msoa_code")
            .merge(people, on="lsoa11_code")
            .merge(ruc, on="lsoa11_code")
        )

    return lsoas


def test_every_domain_of_both_vintages_says_what_it_measures() -> None:
    from hi_reports.data.catalogue import DOMAINS
    from hi_reports.phrases import DOMAIN_MEANINGS

    assert set(DOMAIN_MEANINGS) == {title for _, title, _ in DOMAINS}
    assert all(meaning and not meaning.endswith(".") for meaning in DOMAIN_MEANINGS.values())


@pytest.mark.slow
def test_the_domain_a_key_message_names_says_what_it_measures(editions: Path) -> None:
    """A board reader meets "the Living Environment domain" first in the key messages: it is
    glossed there, in the deprivation chapter and in the methods' definition of every domain."""
    from hi_reports.phrases import DOMAIN_MEANINGS

    summary = _text(editions / "QHL", "index")
    named = re.search(r"neighbourhoods on the (.+?) domain \((.+?)\), against", summary)
    assert named, summary[:3000]
    assert named[2] == DOMAIN_MEANINGS[named[1]]
    imd = _text(editions / "QHL", "imd")
    assert f"on the {named[1]} domain ({named[2]}):" in imd
    methods = _text(editions / "QHL", "methods")
    for title, meaning in DOMAIN_MEANINGS.items():
        assert f"{title} ({meaning})" in methods


@pytest.mark.slow
def test_an_authority_with_no_rural_residents_is_counted_with_its_like_not_ranked(
    editions: Path, data_dir: Path
) -> None:
    """Birmingham has no rural neighbourhood: "the joint 217th of 309 (1st is the most rural)"
    read as mid-table; the chapter and the summary count the authorities with none instead."""
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    ruc = pd.read_csv(next(data_dir.rglob("ruc11_lsoa11.csv")))
    rural = (
        lookup.merge(ruc, on="lsoa11_code")
        .groupby("ltla22_code")["ruc"]
        .agg(lambda classes: int((classes == "Rural").sum()))
    )
    none, total = int((rural == 0).sum()), len(rural)
    assert rural["E08000025"] == 0 and none > 1
    chapter = _text(editions / "E08000025", "rural")
    assert f"Of the {total} local authorities, {none} have none." in chapter
    assert "most rural" not in chapter
    summary = _text(editions / "E08000025", "summary")
    assert f"It is one of the {none} with no rural residents." in summary
    assert "by rural share" not in summary
    assert "by rural share" in _text(editions / "E07000225", "summary")  # it has rural residents
    key_messages = _text(editions / "E08000025", "index")
    assert "None live in rural neighbourhoods, against 17.1% in England" in key_messages
    assert "0.0% live in rural" not in key_messages
    # every neighbourhood in one class: said, not drawn in one colour
    (only,) = (
        lookup.merge(ruc, on="lsoa11_code")
        .query("ltla22_code == 'E08000025'")["ruc11_name"]
        .unique()
    )
    assert (
        f"Every neighbourhood of the local authority district is in one class, {only.lower()}, so "
        "it has no map by class."
    ) in chapter
    page = BeautifulSoup(
        (editions / "E08000025" / "html" / "rural.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert [img["src"] for img in page.find_all("img")] == ["figures/rural_classes.svg"]
    # ONS's "Kingston upon Hull, City of" is "Kingston upon Hull" in a list of names
    similar = re.search(
        r"closest to it by deprivation profile.*?, are (.*?)\.",
        _text(editions / "E08000025", "intro"),
    )
    assert similar and ", City of" not in similar[1] and ";" not in similar[1], similar


@pytest.mark.slow
def test_the_first_page_spells_out_the_imd_and_the_spread_of_deprivation_is_computed(
    editions: Path, lsoas, data_dir: Path
) -> None:
    """The brief is the first chapter alone: it names the Index of Multiple Deprivation where it
    first says "IMD" (the title block's data line). The IMD chapter's "both ends" sentence gives
    QHL's shares of national quintiles 1 and 5 (computed here from ONS's and MHCLG's files), not
    a claim about "most organisations"."""
    first = _text(editions / "QHL", "index")
    spelled = "Index of Multiple Deprivation ("
    assert first.index(spelled) + len(spelled) == first.index("IMD")
    imd = pd.read_csv(next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")))
    imd = imd.set_axis(["lsoa11_code", "name", "lad", "lad_name", "rank", "decile"], axis=1)
    mine = lsoas[lsoas["icb22_code_h"] == "QHL"].merge(imd[["lsoa11_code", "decile"]])
    quintile = (mine["decile"] + 1) // 2
    shares = mine.groupby(quintile)["total_population"].sum() / mine["total_population"].sum()
    assert (
        "residents live both in some of England's most deprived neighbourhoods "
        f"({shares[1]:.1%} in national quintile 1) and in some of its least deprived "
        f"({shares[5]:.1%} in quintile 5)."
    ) in _text(editions / "QHL", "imd").replace("\u2019", "'")


@pytest.mark.slow
def test_an_authority_split_between_icbs_accounts_for_every_resident(editions: Path, lsoas) -> None:
    """Chichester: "Its residents live in NHS Sussex ICB (94.5%)" left out the 5.5% in another."""
    mine = lsoas[lsoas["ltla22_code"] == "E07000225"]
    by_icb = mine.groupby("icb22_name")["total_population"].sum().sort_values(ascending=False)
    shares = by_icb / by_icb.sum()
    assert len(shares) == 2 and shares.iloc[1] > 0.01
    text = _text(editions / "E07000225", "intro")
    expected = (
        f"Its residents live in {shares.index[0]} ({shares.iloc[0] * 100:.1f}%) and "
        f"{shares.iloc[1] * 100:.1f}% in 1 other ICB;"
    )
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
def test_a_trust_catchment_says_where_most_of_it_lives(editions: Path, trust_lsoas) -> None:
    """ "Spread over 2,442 neighbourhoods" read as if each were whole: the key message and the
    introduction say how much of the catchment lives in the LSOAs sending the trust 10% or more
    of their admitted patients (each LSOA takes its MSOA's share), computed here from OHID's and
    ONS's files."""
    lsoas = trust_lsoas("R1H")
    lsoas = lsoas[(lsoas["proportion"] > 0) & (lsoas["total_population"] > 0)]
    residents = lsoas["total_population"] * lsoas["proportion"]
    core = lsoas["proportion"] >= 0.10
    share = residents[core].sum() / residents.sum()
    expected = (
        f"{100 * share:.1f}% of them in the {int(core.sum()):,} neighbourhoods that send the "
        f"trust 10% or more of their admitted patients, the rest counted in part in "
        f"{int((~core).sum()):,} neighbourhoods"
    )
    assert expected in _text(editions / "R1H", "index")
    assert expected.replace("neighbourhoods", "LSOAs") in _text(editions / "R1H", "intro")


@pytest.mark.slow
def test_few_rural_residents_are_said_to_be_few(editions: Path, trust_lsoas) -> None:
    """Shares of a few thousand rural residents by quintile describe few people (RBS: about 4,800
    in its catchment, small shares of some 340 rural neighbourhoods); the chapter says so where
    they are under 5,000, with how many neighbourhoods they are counted in, computed here from
    OHID's, ONS's and the RUC's files, and not where they are more (R1H: about 10,500)."""
    caveat = re.compile(
        r"Only ([\d,]+) residents live in rural neighbourhoods \(counted in part in ([\d,]+) "
        r"neighbourhoods\), so the rural shares below describe few people\."
    )
    for code in ("RBS", "R1H"):
        lsoas = trust_lsoas(code)
        residents = lsoas["total_population"] * lsoas["proportion"]
        in_rural = (lsoas["ruc"] == "Rural") & (residents > 0)
        rural = residents[in_rural].sum()
        found = caveat.search(_text(editions / code, "rural"))
        assert (found is not None) == (rural < 5000), (code, rural)
        if found:
            assert abs(int(found[1].replace(",", "")) - rural) <= 0.5, (code, rural)
            assert int(found[2].replace(",", "")) == lsoas.loc[in_rural, "lsoa11_code"].nunique()


@pytest.mark.slow
def test_a_long_name_heads_its_column_as_this_trust(editions: Path) -> None:
    """The headline table's seven columns on A4 cut a long name mid-word ("Birming-ham Hospi-tals
    NHS Trust"): a name over 24 characters heads its column as "This trust"."""
    from hi_reports.phrases import LONG_HEADING

    def heading(code: str) -> str:
        html = (editions / code / "html" / "index.html").read_text(encoding="utf-8")
        table = BeautifulSoup(html, "html.parser").find("table", id="tbl-spine")
        if table is None:  # pandoc puts the id on the table's figure
            table = BeautifulSoup(html, "html.parser").select_one("#tbl-spine table")
        assert table is not None
        return table.find_all("th")[1].get_text(" ", strip=True)

    long_name = "Alder Hey Children's NHS Foundation Trust"  # RBS, 41 characters
    assert len(long_name) > LONG_HEADING and heading("RBS") == "This trust"
    assert len("Birmingham and Solihull") <= LONG_HEADING
    assert heading("QHL") == "Birmingham and Solihull"


def _trusts(data_dir: Path) -> tuple[pd.DataFrame, set[str], set[str]]:
    """From the publishers' files: trust names, the trusts ODS lists as closed, and the specialist
    trusts (the largest share of admitted patients of no MSOA)."""
    names = pd.read_csv(next(data_dir.rglob("nhs_trusts_names.csv"))).set_index("trust_code")
    catchment = pd.read_csv(next(data_dir.rglob("trust_catchment_msoa11_2019_proportions.csv")))
    main_trusts = set(
        catchment.loc[catchment.groupby("msoa_code")["proportion"].idxmax(), "trust_code"]
    )
    closed = set(names.index[names["status"] == "closed"])
    return names, closed, set(names.index) - main_trusts - closed


@pytest.mark.slow
def test_trusts_are_compared_with_open_trusts_of_their_own_group(
    editions: Path, data_dir: Path
) -> None:
    names, closed, specialist = _trusts(data_dir)
    assert closed == {"RW6", "RBZ"} and len(specialist) == 16  # Pennine Acute, Northern Devon
    acute = len(names) - len(closed) - len(specialist)
    intro = _text(editions / "R1H", "intro")
    assert f"England has {acute} general acute trusts open in the ODS trust file" in intro
    similar = re.search(r"closest to it by deprivation profile.*?, are (.*?)\.", intro).group(1)
    named = [
        name
        for name in names["trust_name"].str.replace(" And ", " and ").str.replace(" Of ", " of ")
        if name in similar
    ]
    assert len(named) == 3, similar
    others = names.reset_index().assign(
        trust_name=lambda t: t["trust_name"].str.replace(" And ", " and ")
    )
    codes = set(others.loc[others["trust_name"].isin(named), "trust_code"])
    assert not codes & (closed | specialist), codes

    intro = _text(editions / "RBS", "intro")  # Alder Hey: a children's hospital
    assert (
        "specialist NHS trust" in intro
        and f"England has {len(specialist)} specialist trusts open in" in intro
    )
    index = _text(editions / "RBS", "index")
    assert f"of {len(specialist)} specialist trusts" in index and "aged 65" not in index
    for page in ("imd", "rural", "summary"):
        text = _text(editions / "RBS", page)
        assert "Aged 65+" not in text and "aged 65" not in text, page
    assert "counts residents of all ages" in _text(editions / "RBS", "imd")


@pytest.mark.slow
def test_a_closed_trust_has_no_edition(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert (
        main(["build", "--org", "RW6", "--data-dir", str(data_dir), "--out", str(tmp_path / "out")])
        == 2
    )
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and "trust RW6 (Pennine Acute Hospitals NHS Trust) has closed" in err
    )
    assert not (tmp_path / "out").exists()
    assert main(["orgs", "--kind", "trust", "--data-dir", str(data_dir)]) == 0
    listing = capsys.readouterr().out
    assert "RW6" not in listing and "RBZ" not in listing
    assert "136 organisations of kind trust, 16 of them specialist trusts" in listing
    assert (
        "RBS        RBS" in listing
        and "Alder Hey Children's NHS Foundation Trust (specialist)" in listing
    )


@pytest.mark.slow
def test_a_column_headed_england_says_which_residents_it_holds(
    editions: Path, data_dir: Path
) -> None:
    """QHL's table of rural residents by age: its England column holds England's rural residents
    (65+: 25.4%), not all of England's (18.5%), and its heading says so."""
    people = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    ruc = pd.read_csv(next(data_dir.rglob("ruc11_lsoa11.csv")))
    table = people.merge(ruc[["lsoa11_code", "ruc11_code"]], on="lsoa11_code")
    rural = table[
        table["ruc11_code"].str[0].isin(["D", "E"]) & table["lsoa11_code"].str.startswith("E")
    ]
    old = (
        rural[[str(a) for a in range(65, 90)] + ["90+"]].sum().sum()
        / rural["total_population"].sum()
    )
    page = BeautifulSoup(
        (editions / "QHL" / "html" / "rural.html").read_text(encoding="utf-8"), "html.parser"
    )
    caption = page.find(string=re.compile("Age structure of urban and rural residents"))
    rows = caption.find_parent("table").find_all("tr")
    head = [c.get_text(" ", strip=True) for c in rows[0].find_all(["th", "td"])]
    assert head[-2:] == ["Share of rural", "England, share of rural"]  # an ICB has no parent column
    last = {
        r.find_all(["th", "td"])[0].get_text(strip=True): r.find_all(["th", "td"])[-1].get_text(
            strip=True
        )
        for r in rows[1:]
    }
    assert last["65+"] == f"{old * 100:.1f}%"


@pytest.mark.slow
def test_an_inverse_gradient_is_worded_by_its_sign(data_dir: Path, tmp_path: Path, lsoas) -> None:
    """Activity that rises towards the least deprived quintile (negative SII): no sentence may say
    that rates rise with deprivation, nor "about -N fewer", nor "0.3 times"."""
    imd = pd.read_csv(
        next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")),
        encoding="utf-8-sig",
    )
    quintile = (
        imd.set_index("LSOA code (2011)")["Index of Multiple Deprivation (IMD) Decile"] + 1
    ) // 2
    mine = lsoas[lsoas["icb22_code_h"] == "QHL"].set_index("lsoa11_code")
    counts = (
        (mine["total_population"] / 1000 * 20 * (quintile.reindex(mine.index) + 2))
        .round()
        .astype(int)
    )
    rows = pd.DataFrame(
        {"lsoa_code": counts.index, "age_band": "40-44", "count": counts.to_numpy()}
    )
    rows.to_csv(tmp_path / "visits.csv", index=False)
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path / "e"),
                "--format",
                "html",
                "--activity",
                str(tmp_path / "visits.csv"),
                "--measure",
                "A&E attendances",
                "--quiet",
            ]
        )
        == 0
    )
    text = " ".join(_text(tmp_path / "e" / "QHL", page) for page in ("imd", "summary", "rural"))
    assert "rates fall with deprivation" in text and "rates rise with deprivation" not in text
    assert re.search(r"there would be about [\d,]+ more A&E attendances a year", text), text[:2000]
    assert not re.search(r"about -[\d,]", text) and "-0.0" not in text and "a&E" not in text
    assert re.search(
        r"in the least deprived fifth: \d+% lower than the rate of the least deprived", text
    )
    assert re.search(
        r"quintile.s rate is \d+% lower than the least deprived", text
    )  # the chart's title
    assert not re.search(r"\b0\.\d times\b", text)
    rii = re.search(r"The relative index of inequality \(RII\) is (\d+\.\d\d)", text)
    assert rii is not None and 0 < float(rii.group(1)) < 1  # lower at the more deprived end


@pytest.mark.slow
def test_a_trusts_class_of_a_few_modelled_residents_is_called_an_estimate(
    editions: Path, trust_lsoas
) -> None:
    """RXK's table of RUC classes printed "3" residents in class E2: small shares of a few
    neighbourhoods that read as a count of people. Where a class holds fewer than ten (computed here
    from OHID's, ONS's and the RUC's files), the chapter says what they are; R1H has none such."""
    note = "so a class with fewer than ten holds small shares of a few neighbourhoods"
    for code, expected in (("RXK", True), ("R1H", False)):
        lsoas = trust_lsoas(code)
        by_class = (
            (lsoas["total_population"] * lsoas["proportion"]).groupby(lsoas["ruc11_code"]).sum()
        )
        assert ((by_class > 0) & (by_class < 10)).any() == expected, (code, by_class)
        assert (note in _text(editions / code, "rural")) == expected, code
