"""Reference data loaders on the real files in ../shared/data."""

from __future__ import annotations

import csv
import dataclasses
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from hi_reports.data import (
    CATALOGUE,
    get_dataset,
    load,
    load_reference,
    read_dataset,
    status,
    trust_catchments,
)
from hi_reports.data.reference import edition_datasets, edition_sources
from hi_reports.data.vintage import V2019
from hi_reports.errors import DataError

ENGLISH_LSOAS = 32_844


def _file(data_dir: Path, name: str) -> Path:
    return next(data_dir.rglob(get_dataset(name).filename))


def _mirror(data_dir: Path, target: Path, skip: str | None = None) -> Path:
    """A data folder of symlinks to the real files, minus the dataset ``skip``."""
    target.mkdir()
    for name in CATALOGUE:
        if name != skip and name in V2019.datasets.values():
            source = _file(data_dir, name)
            (target / source.name).symlink_to(source)
    return target


@pytest.mark.parametrize(
    "name",
    [
        n
        for n, d in CATALOGUE.items()
        if d.key == "lsoa11_code" and d.unique in ((), ("lsoa11_code",))
    ],
)
def test_every_dataset_loads_all_english_lsoas(data_dir: Path, name: str) -> None:
    loaded = load(name, data_dir)
    table = loaded.table
    assert len(table) == ENGLISH_LSOAS
    assert table["lsoa11_code"].str.match(r"^E01\d{6}$").all()
    assert [c.name for c in loaded.dataset.columns] == list(
        table.columns[: len(loaded.dataset.columns)]
    )


def test_imd_file_1_quoted_thousands_and_bom(data_dir: Path) -> None:
    path = _file(data_dir, "imd2019")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    expected = {
        r["LSOA code (2011)"]: int(r["Index of Multiple Deprivation (IMD) Rank"].replace(",", ""))
        for r in rows
    }
    table = load("imd2019", data_dir).table.set_index("lsoa11_code")
    assert table.loc["E01000001", "imd_rank"] == 29_199  # published as "29,199"
    assert table["imd_rank"].to_dict() == expected
    counts = table["imd_decile"].value_counts()
    assert sorted(counts.index) == list(range(1, 11))
    assert counts.between(3284, 3285).all()


def test_file_6_denominators_add_up_to_published_total(data_dir: Path) -> None:
    table = load("iod2019_denominators", data_dir).table
    assert table["denominator_total"].sum() == 54_728_204
    first = table.set_index("lsoa11_code").loc["E01000001"]
    assert first["denominator_total"] == 1296  # published as "1,296"


def test_population_single_years_add_up(data_dir: Path) -> None:
    table = load("population2020", data_dir).table
    ages = table[[f"age_{a}" for a in range(91)]]
    assert (ages.sum(axis=1) == table["population"]).all()
    assert table["population"].sum() == 56_550_138  # England, mid-2020 (Wales rows dropped)


def test_official_titles_and_tidy_names_both_work(data_dir: Path, tmp_path: Path) -> None:
    """The RUC file with the ONS column titles reads like the tidy copy."""
    tidy = pd.read_csv(_file(data_dir, "ruc2011"))
    official = tidy.rename(
        columns={"lsoa11_code": "LSOA11CD", "ruc11_code": "RUC11CD", "ruc11_name": "RUC11"}
    )
    official = official[["LSOA11CD", "RUC11CD", "RUC11"]]
    path = tmp_path / "ruc11_lsoa11.csv"
    official.to_csv(path, index=False, encoding="utf-8-sig")
    from_official = read_dataset(get_dataset("ruc2011"), path)
    from_tidy = read_dataset(get_dataset("ruc2011"), _file(data_dir, "ruc2011"))
    pd.testing.assert_frame_equal(from_official, from_tidy)


def test_missing_column_names_file_and_accepted_titles(tmp_path: Path) -> None:
    path = tmp_path / "ruc11_lsoa11.csv"
    path.write_text("LSOA11CD,something\nE01000001,A1\n", encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"ruc11_lsoa11\.csv: no column for 'ruc11_code'; accepted titles: 'RUC11CD'",
    ):
        read_dataset(get_dataset("ruc2011"), path)


def test_non_number_names_row_and_column(data_dir: Path, tmp_path: Path) -> None:
    lines = _file(data_dir, "imd2019").read_text(encoding="utf-8-sig").splitlines()
    fields = next(csv.reader([lines[3]]))
    fields[-1] = "ten"
    lines[3] = ",".join(f'"{f}"' for f in fields)
    path = tmp_path / get_dataset("imd2019").filename
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match=r"row 4, column 'imd_decile': 'ten' is not a number"):
        read_dataset(get_dataset("imd2019"), path)


def test_missing_file_names_dataset_file_and_command(data_dir: Path, tmp_path: Path) -> None:
    folder = _mirror(data_dir, tmp_path / "data", skip="ruc2011")
    with pytest.raises(DataError) as caught:
        load_reference(folder)
    message = str(caught.value)
    assert "ruc2011" in message
    assert "ruc11_lsoa11.csv" in message
    assert "hi-reports data status" in message


def test_files_found_in_any_subfolder(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for depth, name in enumerate(dict.fromkeys(V2019.datasets.values())):
        sub = folder.joinpath(*[f"level{i}" for i in range(depth)])
        sub.mkdir(parents=True, exist_ok=True)
        (sub / _file(data_dir, name).name).symlink_to(_file(data_dir, name))
    assert len(load_reference(folder).lsoas) == ENGLISH_LSOAS


def test_lsoa_codes_must_agree_across_files(data_dir: Path, tmp_path: Path) -> None:
    folder = _mirror(data_dir, tmp_path / "data", skip="ruc2011")
    ruc = pd.read_csv(_file(data_dir, "ruc2011"))
    dropped = sorted(ruc.loc[ruc["lsoa11_code"].str.startswith("E01"), "lsoa11_code"])[:2]
    ruc[~ruc["lsoa11_code"].isin(dropped)].to_csv(folder / "ruc11_lsoa11.csv", index=False)
    with pytest.raises(DataError) as caught:
        load_reference(folder)
    message = str(caught.value)
    assert message.startswith("ruc11_lsoa11.csv: English LSOA 2011 codes do not agree")
    assert "lacks 2 LSOAs" in message and dropped[0] in message


def test_read_only_data_folder_and_cache_keyed_by_hash(
    data_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("HI_REPORTS_CACHE", str(cache))
    folder = tmp_path / "data"
    folder.mkdir()
    source = _file(data_dir, "ruc2011")
    copy = folder / source.name
    copy.write_bytes(source.read_bytes())
    copy.chmod(stat.S_IREAD)
    folder.chmod(stat.S_IREAD | stat.S_IEXEC)
    try:
        first = load("ruc2011", folder)
        (entry,) = cache.iterdir()
        assert entry.name.startswith(f"ruc2011-{first.sha256[:20]}-") and entry.suffix == ".parquet"
        again = load("ruc2011", folder)
        pd.testing.assert_frame_equal(first.table, again.table)
        assert list(folder.iterdir()) == [copy]  # nothing written beside the data
    finally:
        folder.chmod(stat.S_IRWXU)
        copy.chmod(stat.S_IRUSR | stat.S_IWUSR)
    with open(copy, "a", encoding="utf-8") as handle:  # a revised file gets a new cache entry
        handle.write("W01999999,E1,Rural,Rural village,Rural village and dispersed\n")
    revised = load("ruc2011", folder)
    assert revised.sha256 != first.sha256
    assert len(list(cache.iterdir())) == 2
    # a version of the package that reads the file differently gets a new cache entry too
    ruc = get_dataset("ruc2011")
    monkeypatch.setitem(CATALOGUE, "ruc2011", dataclasses.replace(ruc, columns=ruc.columns[:1]))
    narrower = load("ruc2011", folder)
    assert narrower.table.shape[1] == 1 < revised.table.shape[1]
    assert len(list(cache.iterdir())) == 3


def test_trust_datasets(data_dir: Path) -> None:
    catchment = load("trust_catchment", data_dir).table
    assert len(catchment) == 60_187
    assert catchment["trust_code"].nunique() == 138 and catchment["msoa11_code"].nunique() == 6_791
    assert catchment["proportion"].between(0, 1).all()
    names = load("trust_names", data_dir).table
    assert set(catchment["trust_code"]) <= set(names["trust_code"])


@pytest.mark.slow
def test_status_lists_every_dataset(data_dir: Path, tmp_path: Path) -> None:
    table = status(data_dir)
    assert table["dataset"].tolist() == list(CATALOGUE)
    assert (table["status"] == "present").all()
    keys = table["dataset"].map(lambda n: CATALOGUE[n].key if not CATALOGUE[n].unique[1:] else None)
    assert (table.loc[keys == "lsoa11_code", "rows"] == ENGLISH_LSOAS).all()
    assert (table.loc[keys == "lsoa21_code", "rows"] == 33_755).all() and (
        keys == "lsoa21_code"
    ).sum() == 6
    needed = table.set_index("dataset")["needed_for"]
    assert needed["census2021_ethnicity"] == (
        "every edition (vintage 2019 and 2025); the ethnic groups (PLUS groups)"
    )
    assert needed["lsoa11_lsoa21_lookup"].startswith("every edition (vintage 2019 and 2025); ")
    assert needed["imd2019"] == "every edition (vintage 2019)"
    assert table.set_index("dataset").loc["imd2019", "sha256"] == get_dataset("imd2019").sha256
    empty = status(tmp_path).set_index("dataset")
    assert (empty["status"] == "missing").all()
    assert empty.loc["lsoa_icb_lookup", "note"] == (
        "`hi-reports data fetch lsoa_icb_lookup` downloads it; offline, "
        + get_dataset("lsoa_icb_lookup").add_hint
    )
    assert empty.loc["trust_catchment", "note"] == (
        f"no fixed download: download it from {get_dataset('trust_catchment').url}, then "
        "`hi-reports data add trust_catchment FILE`"
    )


def test_reference_table(reference) -> None:
    lsoas = reference.lsoas
    assert len(lsoas) == ENGLISH_LSOAS
    assert lsoas["icb_code"].nunique() == 42
    assert set(lsoas["ruc_code"]) == {"A1", "B1", "C1", "C2", "D1", "D2", "E1", "E2"}
    assert (lsoas["imd_quintile"] == (lsoas["imd_decile"] + 1) // 2).all()
    assert lsoas[["age_0-15", "age_16-64", "age_65+"]].sum(axis=1).equals(lsoas["population"])
    assert os.path.basename(reference.sources["imd2019"].path) == get_dataset("imd2019").filename


@pytest.mark.slow
def test_extra_datasets_leave_the_reference_unchanged(data_dir: Path, reference) -> None:
    """Reading a dataset only some editions need records nothing on the reference: the sources
    an edition lists and a batch hashes are the same whatever ran before (the session's
    ``reference`` has served every earlier test; ``fresh`` has served none)."""
    fresh = load_reference(data_dir)
    vintage = list(dict.fromkeys(V2019.datasets.values()))
    assert list(fresh.sources) == vintage
    trust = edition_sources(fresh, "trust")
    activity = edition_sources(fresh, "icb", activity_files=True)

    before = dict(reference.sources)
    weights = trust_catchments(reference)  # reads the lookup, the catchments and the bridge...
    bridge, source = reference.extra("lsoa11_lsoa21_lookup")  # ...and what activity reads
    reference.load_extra("trust_names")
    assert len(weights) > 0 and len(bridge) > 0 and source.rows == len(bridge)
    assert dict(reference.sources) == before and list(before) == vintage

    # every edition reads the census ethnic groups, carried to LSOA 2011 by the bridge, last
    ethnicity = ["lsoa11_lsoa21_lookup", "census2021_ethnicity"]
    assert edition_sources(reference, "trust") == trust
    assert list(trust) == [
        *vintage,
        "lsoa_msoa_lookup",
        "trust_catchment",
        "trust_names",
        *ethnicity,
    ]
    icb = edition_sources(reference, "icb")
    assert icb == edition_sources(fresh, "icb")
    assert list(icb) == [*vintage, *ethnicity] and {n: icb[n] for n in vintage} == before
    assert edition_sources(reference, "icb", activity_files=True) == activity
    assert list(activity) == [*vintage, *ethnicity]
    assert activity["lsoa11_lsoa21_lookup"] == source
    assert edition_datasets(fresh, "icb", maps=True) == (*vintage, "lsoa11_boundaries", *ethnicity)


def test_a_data_folder_of_linked_folders_is_read(tmp_path: Path) -> None:
    """A data folder whose subfolders are links (to a shared drive) finds the files inside them,
    and a link back up does not loop."""
    from hi_reports.data.loaders import index_files

    shared = tmp_path / "shared" / "imd2019"
    shared.mkdir(parents=True)
    (shared / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv").write_text("x\n")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "imd2019").symlink_to(shared, target_is_directory=True)
    (shared / "up").symlink_to(folder, target_is_directory=True)
    index = index_files(folder)
    assert [p.name for p in index["file_1_-_imd2019_index_of_multiple_deprivation.csv"]] == [
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
    ]
