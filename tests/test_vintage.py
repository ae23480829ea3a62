"""The 2025 vintage (IMD 2025 on LSOA 2021) beside the 2019 one: loading, figures checked against
independent computations from the raw files and against MHCLG's published ICB summaries, editions,
and the one-line errors that keep geographies from mixing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from hi_reports.cli.main import main
from hi_reports.data import get_dataset, load_reference
from hi_reports.data.vintage import V2019, V2025
from hi_reports.errors import DataError
from hi_reports.geography import resolve
from hi_reports.pipeline import EditionRequest, build_edition, coverage

LSOAS_2021 = 33_755


def _file(data_dir: Path, name: str) -> Path:
    return next(data_dir.rglob(get_dataset(name).filename))


@pytest.fixture(scope="module")
def reference25(data_dir: Path):
    return load_reference(data_dir, "2025")


def _independent_2025(data_dir: Path, icb_ods: str) -> dict[str, float]:
    """Core20 and rural shares of an ICB, from the raw CSV files with plain pandas."""
    imd = pd.read_csv(_file(data_dir, "imd2025"), usecols=["lsoa21_code", "IMD_decile"])
    pop = pd.read_csv(
        _file(data_dir, "census2021_age6"), usecols=["lsoa21_code", "total_usual_residents"]
    )
    ruc = pd.read_csv(_file(data_dir, "ruc2021"), usecols=["lsoa21_code", "ruc"])
    lookup = pd.read_csv(
        _file(data_dir, "lsoa21_icb_lookup"), usecols=["lsoa21_code", "icb24_code_nhs"]
    )
    table = (
        lookup[lookup["icb24_code_nhs"] == icb_ods]
        .merge(imd, on="lsoa21_code")
        .merge(pop, on="lsoa21_code")
    )
    table = table.merge(ruc, on="lsoa21_code")
    people = table["total_usual_residents"].sum()
    return {
        "core20": table.loc[table["IMD_decile"] <= 2, "total_usual_residents"].sum() / people,
        "rural": table.loc[table["ruc"] == "Rural", "total_usual_residents"].sum() / people,
        "people": people,
    }


@pytest.mark.slow
def test_reference_2025(reference25) -> None:
    lsoas = reference25.lsoas
    assert reference25.vintage is V2025
    assert len(lsoas) == LSOAS_2021 and lsoas.index.name == "lsoa_code"
    assert lsoas["icb_code"].nunique() == 42 and lsoas["sicbl_code"].nunique() == 106
    assert set(lsoas["ruc_code"]) == {c.code for c in V2025.ruc_classes}
    assert lsoas["population"].sum() == 56_489_608  # PROVENANCE: the England total of the six bands
    assert lsoas[["age_0-15", "age_16-64", "age_65+"]].sum(axis=1).equals(lsoas["population"])
    assert not lsoas[["lad_code", "lad_name", "lsoa_name"]].isna().any().any()
    assert lsoas.loc["E01000001", ["imd_rank", "imd_decile"]].tolist() == [
        26525,
        8,
    ]  # PROVENANCE check row


@pytest.mark.slow
def test_icb_share_of_lsoas_in_decile_1_matches_mhclg_file_13(reference25, data_dir: Path) -> None:
    """MHCLG publishes each ICB's proportion of LSOAs in the most deprived 10% (IoD2025 File 13)."""
    published = pd.read_csv(next(data_dir.rglob("imd2025_england_icb24.csv")))
    published = published.set_index("icb24_code")[
        "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally"
    ]
    ours = reference25.lsoas.groupby("icb_code")["imd_decile"].apply(lambda d: (d == 1).mean())
    assert set(ours.index) == set(published.index)
    assert (
        ours - published.reindex(ours.index)
    ).abs().max() < 0.0005  # File 13 rounds to 3 decimals


@pytest.mark.slow
def test_icb_edition_on_vintage_2025(data_dir: Path, tmp_path: Path, reference25) -> None:
    edition = build_edition(
        EditionRequest(
            org="QJM", out=tmp_path, formats=("html",), date=dt.date(2026, 11, 25), vintage="2025"
        ),
        reference=reference25,
    )
    annex = pd.read_csv(edition.annex).drop_duplicates("key").set_index("key")
    expected = _independent_2025(data_dir, "QJM")
    assert annex.loc["imd.core20.share", "value"] == pytest.approx(expected["core20"], rel=1e-12)
    assert annex.loc["rural.rural.share", "value"] == pytest.approx(expected["rural"], rel=1e-12)
    assert annex.loc["intro.population", "value"] == expected["people"]
    assert "English Indices of Deprivation 2025" in annex.loc["imd.core20.share", "source"]

    rural = (edition.project / "rural.qmd").read_text()
    assert "Rural-Urban Classification 2021" in rural and "RSF1" in rural and "| E2 " not in rural
    imd = (edition.project / "imd.qmd").read_text()
    assert (
        "national IMD 2025 decile, Census 2021" in imd and "IMD 2019" in imd
    )  # only in the comparison note
    html = (edition.folder / "html" / "imd.html").read_text()
    assert "less directly comparable with earlier releases" in html


@pytest.mark.slow
def test_comparison_note_gives_both_vintages(
    data_dir: Path, tmp_path: Path, reference25, reference
) -> None:
    """A 2025 edition and a 2019 edition of the same ICB print the same two Core20 shares, each
    equal to the Core20 share of its own vintage's edition."""
    shares = {}
    for ref, vintage in ((reference, "2019"), (reference25, "2025")):
        edition = build_edition(
            EditionRequest(
                org="QHL",
                out=tmp_path / vintage,
                formats=("html",),
                date=dt.date(2026, 11, 25),
                vintage=vintage,
            ),
            reference=ref,
        )
        shares[vintage] = (
            pd.read_csv(edition.annex).drop_duplicates("key").set_index("key")["value"]
        )
    for vintage in ("2019", "2025"):
        own = shares[vintage]["imd.core20.share"]
        for table in shares.values():
            assert table[f"imd.vintage_{vintage}.core20"] == pytest.approx(own, rel=1e-12)
    assert shares["2025"]["imd.vintage_2025.core20"] == pytest.approx(
        _independent_2025(data_dir, "QHL")["core20"]
    )


@pytest.mark.slow
def test_no_comparison_without_the_other_vintage(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in V2019.required:
        (folder / _file(data_dir, name).name).symlink_to(_file(data_dir, name))
    edition = build_edition(
        EditionRequest(
            org="QHL", out=tmp_path / "out", formats=("html",), date=dt.date(2026, 11, 25)
        ),
        data_dir=folder,
    )
    assert "IMD 2019 and IMD 2025" not in (edition.project / "imd.qmd").read_text()
    assert not pd.read_csv(edition.annex)["key"].str.startswith("imd.vintage_").any()


def test_a_2021_file_in_a_2019_folder_is_a_mixed_geography_error(
    data_dir: Path, tmp_path: Path
) -> None:
    """RUC 2021 saved under the RUC 2011 file name, with the 2011 column titles: the loader reads
    it, and the reference refuses to mix it with IMD 2019, naming both files and both
    geographies."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in V2019.required:
        if name != "ruc2011":
            (folder / _file(data_dir, name).name).symlink_to(_file(data_dir, name))
    ruc21 = pd.read_csv(_file(data_dir, "ruc2021")).rename(
        columns={"lsoa21_code": "lsoa11_code", "ruc21_code": "ruc11_code"}
    )
    ruc21.to_csv(folder / get_dataset("ruc2011").filename, index=False)
    with pytest.raises(DataError) as caught:
        load_reference(folder, "2019")
    message = str(caught.value)
    assert message.startswith(
        "ruc11_lsoa11.csv is on LSOA 2021 codes but "
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv is on "
        "LSOA 2011: an edition never mixes geographies"
    )
    assert caught.value.option == "vintage" and "--vintage" not in message  # the CLI adds it


def _independent_trust_2025(data_dir: Path, trust: str) -> pd.DataFrame:
    """A trust's weights over LSOAs 2021 from the raw CSVs: each LSOA 2011 takes its MSOA's share;
    each LSOA 2021 the mean over the LSOAs 2011 it comes from (a missing share counts as 0)."""
    catchment = pd.read_csv(_file(data_dir, "trust_catchment"))
    share = catchment[catchment["trust_code"] == trust].set_index("msoa_code")["proportion"]
    msoa = pd.read_csv(_file(data_dir, "lsoa_msoa_lookup"), usecols=["lsoa11_code", "msoa11_code"])
    msoa = msoa[msoa["lsoa11_code"].str.startswith("E")]
    w11 = msoa.set_index("lsoa11_code")["msoa11_code"].map(share).fillna(0.0)
    bridge = pd.read_csv(
        _file(data_dir, "lsoa11_lsoa21_lookup"),
        usecols=["lsoa11_code", "lsoa21_code", "change_code"],
    )
    bridge = bridge[bridge["lsoa21_code"].str.startswith("E")]
    bridge["w11"] = bridge["lsoa11_code"].map(w11).fillna(0.0)
    return bridge.groupby("lsoa21_code").agg(
        weight=("w11", "mean"), change=("change_code", "first")
    )


@pytest.mark.slow
def test_a_trust_edition_on_2025_carries_the_catchment_to_lsoa_2021(
    reference25, data_dir: Path
) -> None:
    from hi_reports.data import trust_catchments
    from hi_reports.geography import resolve
    from hi_reports.indicators import Subject, imd_figures
    from hi_reports.pipeline import kind_profiles

    expected = _independent_trust_2025(data_dir, "RXK")
    weights = trust_catchments(reference25)
    mine = weights[weights["org"] == "RXK"].set_index("lsoa_code")["weight"]
    assert (weights.groupby("lsoa_code")["weight"].sum() <= 1 + 1e-12).all()
    expected = expected[expected["weight"] > 0]
    assert set(mine.index) == set(expected.index)
    pd.testing.assert_series_equal(
        mine.sort_index(), expected["weight"].sort_index(), check_names=False
    )
    # an unchanged LSOA keeps its 2011 share exactly
    unchanged = expected.index[expected["change"] == "U"]
    assert len(unchanged) > 1000 and (mine[unchanged] == expected.loc[unchanged, "weight"]).all()

    imd = pd.read_csv(_file(data_dir, "imd2025"), usecols=["lsoa21_code", "IMD_decile"]).set_index(
        "lsoa21_code"
    )
    pop = pd.read_csv(
        _file(data_dir, "census2021_age6"), usecols=["lsoa21_code", "total_usual_residents"]
    )
    people = expected["weight"] * pop.set_index("lsoa21_code")["total_usual_residents"].reindex(
        expected.index
    )
    core20 = people[imd["IMD_decile"].reindex(expected.index) <= 2].sum() / people.sum()

    org = resolve(reference25, "RXK", "trust")
    profiles = kind_profiles(reference25, "trust")
    figures = imd_figures(Subject(org, profiles))
    assert profiles.population["RXK"] == pytest.approx(people.sum(), rel=1e-12)
    assert figures["core20"]["share"].value == pytest.approx(core20, rel=1e-12)
    assert "carried to LSOA 2021" in figures["core20"]["share"].source


@pytest.mark.slow
def test_cli_builds_a_trust_edition_on_2025(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["orgs", "--kind", "trust", "--vintage", "2025", "--data-dir", str(data_dir)]) == 0
    assert "136 organisations of kind trust" in capsys.readouterr().out
    assert (
        main(
            [
                "build",
                "--org",
                "RXK",
                "--vintage",
                "2025",
                "--format",
                "html",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    intro = (tmp_path / "RXK" / "html" / "intro.html").read_text(encoding="utf-8")
    assert "a 2021 LSOA takes the mean share of the 2011 LSOAs it was drawn from" in intro
    annex = pd.read_csv(tmp_path / "RXK" / "annex.csv")
    share = annex[(annex["chapter"] == "imd") & (annex["key"] == "imd.core20.share")].iloc[0]
    assert share["printed"] == f"{share['value']:.1%}"
    assert share["printed"] in (tmp_path / "RXK" / "html" / "imd.html").read_text(encoding="utf-8")


def test_cli_vintage_errors_are_one_line(data_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--vintage",
                "2025",
                "--demo-activity",
                "--data-dir",
                str(data_dir),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "single year of age" in err and "--vintage 2019" in err
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_cli_builds_a_2025_sub_icb_and_lists_vintages(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    assert (
        main(["orgs", "--kind", "sub-icb", "--vintage", "2025", "--data-dir", str(data_dir)]) == 0
    )
    assert "106 organisations of kind sub-icb" in capsys.readouterr().out
    assert (
        main(
            [
                "build",
                "--org",
                "15E",
                "--kind",
                "sub-icb",
                "--vintage",
                "2025",
                "--format",
                "html",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    assert "Census 2021" in (tmp_path / "15E" / "html" / "intro.html").read_text()


@pytest.mark.slow
def test_publishers_layouts_of_the_2025_files(data_dir: Path, tmp_path: Path) -> None:
    """MHCLG's File 7 titles and ONS's LSOA21CD/RUC21CD/SICBL24CDH/ICB24CDH columns read the
    same."""
    from hi_reports.data import load

    titles = {
        "imd2025": {
            "lsoa21_code": "LSOA code (2021)",
            "IMD_decile": (
                "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
            ),
            "IMD_rank": "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
            "IMD_score": "Index of Multiple Deprivation (IMD) Score",
            "Income_decile": "Income Decile (where 1 is most deprived 10% of LSOAs)",
            "Employment_decile": "Employment Decile (where 1 is most deprived 10% of LSOAs)",
            "Education_decile": (
                "Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)"
            ),
            "Health_decile": (
                "Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs)"
            ),
            "Crime_decile": "Crime Decile (where 1 is most deprived 10% of LSOAs)",
            "Housing_and_Services_decile": (
                "Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs)"
            ),
            "Environment_decile": (
                "Living Environment Decile (where 1 is most deprived 10% of LSOAs)"
            ),
        },
        "ruc2021": {
            "lsoa21_code": "LSOA21CD",
            "ruc21_code": "RUC21CD",
            "classification": "RUC21NM",
            "ruc": "Urban_rural_flag",
        },
        "lsoa21_icb_lookup": {
            "lsoa21_code": "LSOA21CD",
            "lsoa21_name": "LSOA21NM",
            "sicbl24_code": "SICBL24CD",
            "sicbl24_code_nhs": "SICBL24CDH",
            "sicbl24_name": "SICBL24NM",
            "icb24_code": "ICB24CD",
            "icb24_code_nhs": "ICB24CDH",
            "icb24_name": "ICB24NM",
        },
    }
    for name, renames in titles.items():
        tidy = pd.read_csv(_file(data_dir, name))
        folder = tmp_path / name
        folder.mkdir()
        tidy[list(renames)].rename(columns=renames).to_csv(
            folder / get_dataset(name).filenames[-1], index=False
        )
        published = load(name, folder).table
        expected = load(name, data_dir).table
        pd.testing.assert_frame_equal(
            published.reset_index(drop=True), expected.reset_index(drop=True)
        )


@pytest.mark.slow
def test_batch_on_vintage_2025_and_a_change_of_vintage_rebuilds(
    tmp_path: Path, reference25, reference
) -> None:
    import json

    from hi_reports.batch import BatchRequest, build_batch

    request = BatchRequest(
        out=tmp_path,
        codes=["QJM", "QHL"],
        formats=("html",),
        engine="builtin",
        jobs=1,
        date=dt.date(2026, 11, 25),
        vintage="2025",
    )
    first = build_batch(request, reference=reference25)
    assert first.ok and sorted(o.code for o in first.built) == ["QHL", "QJM"]
    manifest = json.loads((tmp_path / "QJM" / "manifest.json").read_text())
    assert manifest["inputs"]["options"]["vintage"] == "2025"
    methods = (tmp_path / "QJM" / "project" / "methods.qmd").read_text()
    assert "census21_usual_residents_lsoa21_age6.csv" in methods
    assert "hi-reports build --org QJM --kind icb --vintage 2025 --data-dir DATA" in methods
    again = build_batch(request, reference=reference25)
    assert sorted(o.code for o in again.unchanged) == ["QHL", "QJM"]
    back = build_batch(
        BatchRequest(
            out=tmp_path,
            codes=["QJM"],
            formats=("html",),
            engine="builtin",
            jobs=1,
            date=dt.date(2026, 11, 25),
        ),
        reference=reference,
    )
    assert [o.code for o in back.built] == ["QJM"]
    assert (
        "Rural-Urban Classification 2011"
        in (tmp_path / "QJM" / "project" / "rural.qmd").read_text()
    )


@pytest.mark.slow
def test_the_england_edition_of_2025_counts_its_own_lsoas(data_dir: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "build",
                "--org",
                "england",
                "--vintage",
                "2025",
                "--format",
                "html",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    methods = (tmp_path / "england" / "html" / "methods.html").read_text(encoding="utf-8")
    assert "maps the 42 ICBs rather than 33,755 neighbourhoods" in methods
    assert "32,844" not in methods


@pytest.mark.slow
def test_a_newer_ons_lookup_added_by_hand_takes_over(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    """ONS's next release of the lookup, same layout, titles of another year (ICB25CD): `data add`
    takes it, and the edition says its organisations are of that year, not April 2024."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in set(V2025.datasets.values()) - {"lsoa21_icb_lookup"}:
        source = _file(data_dir, name)
        (folder / source.name).symlink_to(source)
    lookup = pd.read_csv(_file(data_dir, "lsoa21_icb_lookup"), dtype=str)
    titles = {
        "lsoa21_code": "LSOA21CD",
        "lsoa21_name": "LSOA21NM",
        "sicbl24_code": "SICBL25CD",
        "sicbl24_code_nhs": "SICBL25CDH",
        "sicbl24_name": "SICBL25NM",
        "icb24_code": "ICB25CD",
        "icb24_code_nhs": "ICB25CDH",
        "icb24_name": "ICB25NM",
    }
    ons = lookup.rename(columns=titles)[list(titles.values())].assign(
        LAD25CD="E06000001", ObjectId=1
    )
    newer = tmp_path / "LSOA21_SICBL25_ICB25_LAD25_EN_LU.csv"
    ons.to_csv(newer, index=False)
    mixed = tmp_path / "mixed.csv"
    ons.rename(columns={"ICB25NM": "ICB24NM"}).to_csv(mixed, index=False)
    assert main(["data", "add", "lsoa21_icb_lookup", str(mixed), "--data-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert (
        "mixed.csv" in err
        and "columns of different years (ICB24NM, ICB25CD," in err
        and err.count("\n") == 1
    )

    assert main(["data", "add", "lsoa21_icb_lookup", str(newer), "--data-dir", str(folder)]) == 0
    reference = load_reference(folder, "2025")
    assert reference.vintage.organisations_when == "2025"
    assert "ICB (2025) lookup" in reference.vintage.sources.lookup
    assert "(2025)" in reference.vintage.lookup_text and "2024" not in reference.vintage.lookup_text
    assert reference.sources["lsoa21_icb_lookup"].vintage.startswith("2025 (ICB 2025), LSOA 2021")
    org = resolve(reference, "QHL")
    assert coverage(org, reference) == (
        "ICBs as of 2025; Index of Multiple Deprivation (IMD) 2025; residents Census 2021"
    )
    # the catalogue's own release keeps its words
    assert load_reference(data_dir, "2025").vintage.organisations_when == "April 2024"
