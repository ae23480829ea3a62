"""The edition API (``hi_reports.edition``): what a chapter's cells and an analyst's script call.

Its tables are checked against the publishers' CSV files read here with plain pandas."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pytest

import hi_reports
from hi_reports.api import LSOA_COLUMNS, APIError, current, md
from hi_reports.data import DOMAINS
from hi_reports.indicators.record import as_dict


@pytest.fixture(scope="module")
def ed(data_dir: Path):
    return hi_reports.edition("qhl", data_dir=data_dir)


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> pd.DataFrame:
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    people = pd.read_csv(
        next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")),
        usecols=["lsoa11_code", "total_population"],
    )
    imd = pd.read_csv(next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")))
    imd = imd.set_axis(["lsoa11_code", "name", "lad", "lad_name", "rank", "decile"], axis=1)
    ruc = pd.read_csv(next(data_dir.rglob("ruc11_lsoa11.csv")))
    table = lookup.merge(people, on="lsoa11_code").merge(
        imd[["lsoa11_code", "decile"]], on="lsoa11_code"
    )
    return table.merge(ruc, on="lsoa11_code")


@pytest.mark.slow
def test_the_edition_of_an_icb_is_its_lsoas(ed, raw: pd.DataFrame) -> None:
    assert (ed.org.code, ed.kind, ed.vintage) == ("QHL", "icb", "2019")
    mine = raw[raw["icb22_code_h"] == "QHL"].sort_values("lsoa11_code")
    lsoas = ed.lsoas
    assert list(lsoas.columns) == [*LSOA_COLUMNS, *(f"{d}_decile" for d, _, _ in DOMAINS)]
    assert lsoas["lsoa_code"].tolist() == mine["lsoa11_code"].tolist()
    assert lsoas["residents"].tolist() == mine["total_population"].astype(float).tolist()
    assert lsoas["imd_decile"].tolist() == mine["decile"].tolist()
    assert (lsoas["imd_quintile"] == (mine["decile"].to_numpy() + 1) // 2).all()
    assert lsoas["rural"].tolist() == (mine["ruc"] == "Rural").tolist()
    assert lsoas["ruc_class"].tolist() == mine["ruc11_code"].tolist()
    assert (
        len(ed.england) == len(raw)
        and ed.england["residents"].sum() == raw["total_population"].sum()
    )
    # the chapter figures are the package's, and agree with the table
    core20 = lsoas.loc[lsoas["imd_quintile"] == 1, "residents"].sum() / lsoas["residents"].sum()
    assert ed.imd["core20"]["share"].value == pytest.approx(core20, rel=1e-12)


@pytest.mark.slow
def test_formatters_print_and_record_every_number(ed) -> None:
    before = len(ed.annex.rows)
    assert ed.pct(ed.imd["core20"]["share"]) == f"{ed.imd['core20']['share'].value:.1%}"
    assert ed.num(ed.overview["population"]) == f"{ed.overview['population'].value:,.0f}"
    assert ed.rank(ed.imd["core20"]["rank"]).endswith("of 42")
    assert ed.dec(2.345, key="local.ratio", definition="A ratio") == "2.3"
    assert ed.rank(3, key="local.rank", definition="A rank", of=10) == "3rd of 10"
    rows = list(ed.annex.rows.values())[before:]
    assert [r["key"] for r in rows] == [
        "imd.core20.share",
        "intro.population",
        "imd.core20.rank",
        "local.ratio",
        "local.rank",
    ]
    assert (
        rows[3]["definition"] == "A ratio"
        and rows[3]["value"] == 2.345
        and rows[3]["printed"] == "2.3"
    )
    with pytest.raises(APIError, match=r"a number printed without a key and a definition \(0\.5\)"):
        ed.pct(0.5)
    with pytest.raises(APIError, match=r"local.x: 'many' is not a number"):
        ed.num("many", key="local.x", definition="x")


@pytest.mark.slow
def test_within_a_build_the_edition_is_the_one_being_built(ed, monkeypatch) -> None:
    def no_data(*args, **kwargs):
        raise AssertionError("the edition of a build reads no data")

    monkeypatch.setattr("hi_reports.data.load_reference", no_data)
    with current(ed):
        assert hi_reports.edition("QHL") is ed
        assert hi_reports.edition("E54000055", kind="icb", vintage=2019) is ed
        with pytest.raises(
            APIError, match=r"this build is of QHL \(icb, vintage 2019\), not 'QJM'"
        ):
            hi_reports.edition("QJM")
        with pytest.raises(APIError, match="not 'QHL'"):
            hi_reports.edition("QHL", vintage="2025")


@pytest.mark.slow
def test_an_annex_key_names_one_number_and_says_its_source(ed) -> None:
    assert ed.pct(0.5, key="local.half", definition="A half", source="Our audit, 2024") == "50.0%"
    assert (
        ed.pct(0.5, key="local.half", definition="A half", source="Our audit, 2024") == "50.0%"
    )  # again
    row = next(r for (_, key), r in ed.annex.rows.items() if key == "local.half")
    assert row["source"] == "Our audit, 2024"
    with pytest.raises(
        APIError,
        match=r"the annex key 'local.half' is already used by this edition for another "
        r"number \(A half\)",
    ):
        ed.pct(0.6, key="local.half", definition="A half")
    with pytest.raises(APIError, match="already used"):
        ed.num(0.5, key="local.half", definition="Something else")


@pytest.mark.slow
def test_figures_read_by_attribute_and_name_what_there_is(ed) -> None:
    assert ed.imd.core20.share is ed.imd["core20"]["share"]
    assert [row.decile for row in ed.imd.deciles] == list(range(1, 11))
    assert isinstance(ed.imd, Mapping) and ed.imd.get("nothing") is None
    with pytest.raises(AttributeError, match=r"no figure 'core_20': there are .*core20"):
        _ = ed.imd.core_20
    assert ed.parent is None and not ed.is_england and ed.data_vintage.imd == "IMD 2019"
    # a chapter written against the dicts reads them as it did: keys no Python name included
    assert ed.imd["age"]["65+"] is ed.imd.age.aged_65_plus
    assert ed.imd["age_by_quintile"][0]["65+"] is ed.imd.age_by_quintile[0].aged_65_plus
    assert "parent_share" not in ed.imd.core20 and ed.imd.core20.parent_share is None
    assert ed.imd.core20.get("parent_share", "absent") == "absent"
    assert ed.about["sources"][0]["sha256"] == ed.about.sources[0].sha256
    assert ed.maps.catchment is None and "catchment" not in ed.maps and ed.maps.deciles
    assert ed.variation is None  # the England edition's
    if ed.vintages is not None:  # the data folder holds both vintages
        assert [row["vintage"].name for row in ed.vintages["rows"]] == ["2019", "2025"]
        assert ed.vintages.note and ed.vintages["note"] == ed.vintages.note
    # and as plain data: the set figures, under their keys
    plain = as_dict(ed.imd)
    assert plain["core20"]["share"] is ed.imd.core20.share and "parent_share" not in plain["core20"]
    assert list(plain["age"]) == ["0-15", "16-64", "65+"]


@pytest.mark.slow
def test_words_and_ratios_as_the_chapters_print_them(ed) -> None:
    assert ed.words(["A_1", md("B*"), "C"]) == "A\\_1, B\\* and C"
    assert (
        ed.times(1.84, "the rate of X", key="local.ratio2", definition="A ratio")
        == "1.8 times the rate of X"
    )
    assert ed.times(0.9, "Y", key="local.ratio3", definition="Another") == "10% lower than Y"
    assert ed.quantity(1, "neighbourhood", key="local.n1", definition="One") == "one neighbourhood"
    assert ed.quantity(773, "LSOA", key="local.n2", definition="Many") == "773 LSOAs"
    assert ed.noun(1.2, "ICB") == "ICB" and ed.noun(2, "ICB") == "ICBs"
    share = ed.imd.core20
    assert ed.compare(share.share, share.england_share) == "higher than"
    assert ed.compare(share.england_share, share.england_share, same="level with") == "level with"


@pytest.mark.slow
def test_a_figure_outside_a_build_is_copied_beside_the_chapter(
    ed, tmp_path: Path, monkeypatch
) -> None:
    """Quarto runs a chapter's cells in its folder and needs its figures beside it: outside a build
    ed.figure copies the chart there, named by organisation and vintage, so that editions of several
    organisations rendered from one book never overwrite each other's figures (quarto-r #205)."""
    monkeypatch.chdir(tmp_path)
    markdown = ed.figure(ed.charts.imd_deciles)
    assert markdown.startswith("![") and "{#fig-imd-deciles fig-alt=" in markdown
    assert "](figures/QHL-2019-imd_deciles.svg)" in markdown
    assert (tmp_path / "figures" / "QHL-2019-imd_deciles.svg").read_bytes().startswith(b"<?xml")
    assert ed.figure(None) == ""
    with current(
        ed.__class__(ed.org, ed.reference, ed.context)
    ):  # within a build: the project's path
        assert "](figures/imd_deciles.svg)" in hi_reports.edition("QHL").figure(
            ed.charts.imd_deciles
        )


def test_an_edition_shows_itself_in_one_line(ed) -> None:
    """In Jupyter, ``ed`` (or ``ed.rank``, whose repr holds it) printed 267,560 characters of
    reference data."""
    assert repr(ed) == f"<Edition {ed.org.code}: {ed.org.name} ({ed.kind}), vintage {ed.vintage}>"
    assert len(repr(ed.rank)) < 300
