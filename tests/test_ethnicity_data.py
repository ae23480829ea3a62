"""The Census 2021 ethnic groups (TS021): the catalogue entry, reading Nomis's layout and the tidy
copy, the carrying from LSOA 2021 to LSOA 2011, and the totals on the real data.

The expected numbers are worked by hand (the carrying) or computed here with plain pandas from the
raw files (the real data, the synthetic set), never with the package.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from hi_reports.cli.main import main
from hi_reports.data import (
    CATALOGUE,
    ETHNIC_GROUPS,
    Ethnicity,
    ethnic_groups,
    get_dataset,
    load,
    load_reference,
    read_dataset,
)
from hi_reports.data.catalogue import ONS_ATTRIBUTION
from hi_reports.data.ethnicity import COLUMNS, to_lsoa11
from hi_reports.data.fetch import add, fetch
from hi_reports.data.loaders import file_sha256, find_file
from hi_reports.data.reference import edition_datasets, needed_for
from hi_reports.data.vintage import V2019, V2025
from hi_reports.errors import DataError
from tests.publishers import serve

from .conftest import SYNTHETIC_DATA, synthetic_file

NAME = "census2021_ethnicity"

#: England's totals of TS021, from ../shared/data/PROVENANCE.md.
ENGLAND = {
    "total": 56_490_108,
    "white": 45_783_622,
    "mixed": 1_669_304,
    "asian": 5_426_498,
    "black": 2_381_670,
    "other": 1_229_014,
}

#: Nomis's titles of the broad groups, and the detailed categories of each (which are not read).
NOMIS_GROUPS = {
    "asian": (
        "Asian, Asian British or Asian Welsh",
        ("Bangladeshi", "Chinese", "Indian", "Pakistani", "Other Asian"),
    ),
    "black": (
        "Black, Black British, Black Welsh, Caribbean or African",
        ("African", "Caribbean", "Other Black"),
    ),
    "mixed": (
        "Mixed or Multiple ethnic groups",
        (
            "White and Asian",
            "White and Black African",
            "White and Black Caribbean",
            "Other Mixed or Multiple ethnic groups",
        ),
    ),
    "white": (
        "White",
        (
            "English, Welsh, Scottish, Northern Irish or British",
            "Irish",
            "Gypsy or Irish Traveller",
            "Roma",
            "Other White",
        ),
    ),
    "other": ("Other ethnic group", ("Arab", "Any other ethnic group")),
}


# --- the catalogue and the vintages ---------------------------------------------------------------


def test_catalogue_entry() -> None:
    dataset = get_dataset(NAME)
    assert dataset.filenames == ("ethnicity_lsoa21.csv", "census2021-ts021-lsoa.csv")
    assert dataset.publisher == "Office for National Statistics (ONS)"
    assert dataset.vintage == "Census 2021 (21 March 2021), LSOA 2021"
    assert dataset.attribution == ONS_ATTRIBUTION and "Open Government Licence" in dataset.licence
    assert dataset.url == "https://www.nomisweb.co.uk/sources/census_2021_bulk"
    assert (
        dataset.download_url == "https://www.nomisweb.co.uk/output/census/2021/census2021-ts021.zip"
    )
    assert (dataset.file_format, dataset.member) == ("zip", "census2021-ts021-lsoa.csv")
    assert [c.name for c in dataset.columns] == ["lsoa21_code", *COLUMNS[-1:], *COLUMNS[:-1]]
    assert [title for _, title in ETHNIC_GROUPS] == [
        "White",
        "Mixed or Multiple ethnic groups",
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Other ethnic group",
    ]
    assert COLUMNS == ("white", "mixed", "asian", "black", "other", "total")


def test_every_edition_of_both_vintages_reads_it() -> None:
    assert V2019.required[-3:] == ("lsoa11_lsoa21_lookup", NAME, "lsoa11_boundaries")
    assert V2025.required[-2:] == (NAME, "lsoa21_boundaries")
    assert V2025.required.count("lsoa11_lsoa21_lookup") == 1  # its LSOA 2021 to LAD lookup too
    assert needed_for(NAME).startswith("every edition (vintage 2019 and 2025)")


# --- carrying LSOA 2021 counts to LSOA 2011, on a hand-made case ---------------------------------


def _case() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Nine LSOAs 2011 and seven LSOAs 2021: A unchanged (U); B split in two (S); C and D merged
    (M); E, F and G redrawn as two (X: E and F make P, F and G make Q); H and I, with no
    residents, merged (M)."""
    bridge = pd.DataFrame(
        [
            ("A", "a", "U"),
            ("B", "b1", "S"),
            ("B", "b2", "S"),
            ("C", "cd", "M"),
            ("D", "cd", "M"),
            ("E", "p", "X"),
            ("F", "p", "X"),
            ("F", "q", "X"),
            ("G", "q", "X"),
            ("H", "hi", "M"),
            ("I", "hi", "M"),
        ],
        columns=["lsoa11_code", "lsoa21_code", "change_code"],
    )
    counts = pd.DataFrame(
        {
            "white": [900, 500, 600, 800, 300, 480, 10],
            "asian": [100, 300, 200, 200, 100, 120, 10],
            "total": [1000, 800, 800, 1000, 400, 600, 20],
        },
        index=["a", "b1", "b2", "cd", "p", "q", "hi"],
    )
    # mid-2020 residents, in an order of their own: the result follows it
    residents = pd.Series(
        {"I": 0, "H": 0, "G": 500, "F": 100, "E": 300, "D": 400, "C": 600, "B": 1500, "A": 1000},
        name="population",
    ).rename_axis("lsoa_code")
    return counts, bridge, residents


def test_unchanged_and_split_add_up_merged_and_complex_are_shared_by_residents() -> None:
    counts, bridge, residents = _case()
    carried = to_lsoa11(counts, bridge, residents)
    expected = pd.DataFrame(
        {  # (white, asian, total), worked by hand
            "A": (900, 100, 1000),  # a, wholly
            "B": (1100, 500, 1600),  # b1 + b2, wholly
            "C": (480, 120, 600),  # cd x 600 / (600 + 400)
            "D": (320, 80, 400),  # cd x 400 / 1000
            "E": (225, 75, 300),  # p x 300 / (300 + 100)
            "F": (75 + 80, 25 + 20, 100 + 100),  # p x 100 / 400, and q x 100 / (100 + 500)
            "G": (400, 100, 500),  # q x 500 / 600
            "H": (5, 5, 10),  # hi: neither parent has residents, so halves
            "I": (5, 5, 10),
        },
        index=["white", "asian", "total"],
    ).T.astype(float)
    expected = expected.loc[list(residents.index)].rename_axis("lsoa_code")
    pd.testing.assert_frame_equal(carried.counts, expected, check_exact=False, rtol=1e-12)
    assert carried.counts.index.equals(residents.index) and carried.counts.index.name == "lsoa_code"
    assert carried.shared == 1000 + 400 + 600 + 20  # cd, p, q and hi
    assert carried.shared_lsoas == 4
    assert carried.counts.sum().to_dict() == pytest.approx(counts.sum().to_dict(), abs=1e-9)
    counts_back, _, shared_lsoas = carried  # a plain tuple too
    assert shared_lsoas == 4 and counts_back is carried.counts


def test_carrying_refuses_what_does_not_fit() -> None:
    counts, bridge, residents = _case()
    lookup, census = Path("lookup.csv"), Path("census.csv")
    extra = pd.concat([counts, pd.DataFrame({"white": [1], "asian": [0], "total": [1]}, ["z"])])
    with pytest.raises(
        DataError,
        match=r"^lookup\.csv: 1 LSOAs 2021 of census\.csv are not in the lookup \(first: z\)",
    ) as caught:
        to_lsoa11(extra, bridge, residents, lookup=lookup, census=census)
    assert caught.value.path == "lookup.csv"
    with pytest.raises(
        DataError, match=r"^census\.csv: 1 LSOAs 2021 of lookup\.csv are missing \(first: q\)"
    ):
        to_lsoa11(counts.drop("q"), bridge, residents, lookup=lookup, census=census)
    with pytest.raises(
        DataError,
        match=r"^lookup\.csv: 1 LSOAs 2011 of the reference receive no LSOA 2021 \(first: J\)",
    ):
        to_lsoa11(counts, bridge, pd.concat([residents, pd.Series({"J": 7})]), lookup=lookup)
    with pytest.raises(
        DataError,
        match=r"^the LSOA 2011 to 2021 lookup: 1 LSOAs 2011 it gives as parents are not LSOAs of "
        r"the reference \(first: A\)",
    ):
        to_lsoa11(counts, bridge, residents.drop("A"))


# --- the synthetic set: Nomis's layout, a 2011 vintage, a data folder made with `data add` --------


def test_synthetic_census_is_carried_to_lsoa_2011(synthetic_dir: Path) -> None:
    """The synthetic Nomis file (Welsh rows, detailed categories) and ONS lookup, as `data add`
    registered them: totals kept, the shared LSOAs those with several parents in the raw lookup."""
    raw = pd.read_csv(synthetic_file(NAME))
    english = raw[raw["geography code"].str.startswith("E01")].set_index("geography code")
    assert len(english) < len(raw)  # the Welsh rows are dropped
    lookup = pd.read_csv(synthetic_file("lsoa11_lsoa21_lookup"))
    lookup = lookup[lookup["LSOA11CD"].str.startswith("E01")]
    parents = lookup.groupby("LSOA21CD")["LSOA11CD"].nunique()
    assert set(lookup["CHGIND"]) == {"U", "S", "M", "X"}

    reference = load_reference(synthetic_dir)
    groups = ethnic_groups(reference)
    assert isinstance(groups, Ethnicity) and ethnic_groups(reference) is groups  # read once
    assert groups.residents.index.equals(reference.lsoas.index)
    assert list(groups.residents.columns) == list(COLUMNS)
    assert (groups.residents.dtypes == "float64").all() and groups.residents.notna().all().all()
    titles = {"total": "Ethnic group: Total: All usual residents"}
    titles |= {name: f"Ethnic group: {title}" for name, (title, _) in NOMIS_GROUPS.items()}
    for name, title in titles.items():
        assert groups.residents[name].sum() == pytest.approx(english[title].sum(), abs=1e-6)
    shared = parents.index[parents > 1]
    assert groups.shared_lsoas == len(shared) == 4
    assert groups.shared == english.loc[shared, titles["total"]].sum()
    assert [s.name for s in groups.sources] == [NAME, "lsoa11_lsoa21_lookup"]
    # an LSOA 2011 whose LSOAs 2021 have no other parent has their counts exactly
    single = lookup[lookup["LSOA21CD"].map(parents) == 1]
    whole = single.groupby("LSOA11CD")["LSOA21CD"].agg(list)
    whole = whole[~whole.index.isin(lookup.loc[lookup["LSOA21CD"].isin(shared), "LSOA11CD"])]
    for code, children in whole.items():
        assert groups.residents.loc[code, "total"] == english.loc[children, titles["total"]].sum()
    # a deprivation gradient for the chapter to find: minorities are more of the most deprived
    minority = 1 - groups.residents["white"] / groups.residents["total"]
    by_quintile = minority.groupby(reference.lsoas["imd_quintile"]).mean()
    assert by_quintile[1] > 2 * by_quintile[5]


def test_a_folder_without_it_loads_the_reference_and_asking_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SYNTHETIC_DATA, folder)
    (folder / synthetic_file(NAME).name).unlink()
    reference = load_reference(folder)
    assert len(reference.lsoas) == 320
    assert edition_datasets(reference, "icb")[-2:] == ("lsoa11_lsoa21_lookup", NAME)
    with pytest.raises(DataError) as caught:
        ethnic_groups(reference)
    message = str(caught.value)
    assert message.startswith(
        f"dataset '{NAME}' (Census 2021: usual residents by ethnic group (TS021, five broad "
        f"groups), LSOA 2021) is missing: expected a file named ethnicity_lsoa21.csv anywhere "
        f"under {folder}"
    )
    assert (
        "download it from https://www.nomisweb.co.uk/output/census/2021/census2021-ts021.zip, "
        f"then run `hi-reports data add {NAME} FILE`" in message
    )


# --- the real data -------------------------------------------------------------------------------


def test_reference_copy_has_the_catalogues_hash(data_dir: Path) -> None:
    path = find_file(get_dataset(NAME), data_dir)
    assert path is not None and file_sha256(path) == get_dataset(NAME).sha256


def test_vintage_2025_joins_directly_with_englands_totals(data_dir: Path) -> None:
    reference = load_reference(data_dir, "2025")
    groups = ethnic_groups(reference)
    assert groups.residents.index.equals(reference.lsoas.index)
    assert groups.residents.index.name == "lsoa_code"
    assert groups.residents.sum().to_dict() == ENGLAND  # exactly: counts joined, not shared
    assert (groups.shared, groups.shared_lsoas) == (0.0, 0)
    assert [s.name for s in groups.sources] == [NAME]


def test_vintage_2019_keeps_englands_totals_and_shares_what_the_lookup_merges(
    data_dir: Path, reference
) -> None:
    groups = ethnic_groups(reference)
    residents = groups.residents
    assert residents.index.equals(reference.lsoas.index) and len(residents) == 32_844
    assert residents.notna().all().all() and (residents["total"] > 0).all()  # every LSOA 2011
    assert residents.sum().to_dict() == pytest.approx(ENGLAND, abs=1e-6)
    # independently: the LSOAs 2021 with more than one LSOA 2011 in the raw lookup
    lookup = pd.read_csv(find_file(get_dataset("lsoa11_lsoa21_lookup"), data_dir), dtype=str)
    lookup = lookup[lookup["lsoa11_code"].str.startswith("E01")]
    parents = lookup.groupby("lsoa21_code")["lsoa11_code"].nunique()
    census = pd.read_csv(find_file(get_dataset(NAME), data_dir)).set_index("lsoa21_code")
    shared = parents.index[parents > 1]
    assert groups.shared > 0 and groups.shared_lsoas == len(shared) == 100
    assert groups.shared == census.loc[shared, "total_usual_residents"].sum()
    assert [s.name for s in groups.sources] == [NAME, "lsoa11_lsoa21_lookup"]


@pytest.mark.slow
def test_vintage_2025_codes_must_be_the_references(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in V2025.required:
        if name != NAME:
            source = next(data_dir.rglob(get_dataset(name).filename))
            (folder / source.name).symlink_to(source)
    copy = find_file(get_dataset(NAME), data_dir)
    lines = copy.read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / copy.name).write_text(lines[0] + "".join(lines[3:]), encoding="utf-8")
    dropped = [line.split(",")[0] for line in lines[1:3]]
    reference = load_reference(folder, "2025")
    with pytest.raises(DataError) as caught:
        ethnic_groups(reference)
    assert str(caught.value).startswith(
        "ethnicity_lsoa21.csv: English LSOA 2021 codes do not agree with "
        f"imd2025_england_lsoa21.csv (first differences: {', '.join(dropped)}"
    )


# --- Nomis's layout: data add of the CSV and of the ZIP, data fetch from the publisher ------------


def _nomis_csv(rows: pd.DataFrame) -> str:
    """Rows of the tidy reference copy in the layout of Nomis's census2021-ts021-lsoa.csv: date,
    geography, geography code, the total, then each broad group followed by its detailed
    categories (here the whole group in the first, none in the others); a Welsh row last."""
    header = ["date", "geography", "geography code", "Ethnic group: Total: All usual residents"]
    for title, details in NOMIS_GROUPS.values():
        header += [f"Ethnic group: {title}", *(f"Ethnic group: {title}: {d}" for d in details)]
    tidy = {
        "asian": "asian_asian_british_or_asian_welsh",
        "black": "black_black_british_black_welsh_caribbean_or_african",
        "mixed": "mixed_or_multiple_ethnic_groups",
        "white": "white",
        "other": "other_ethnic_group",
    }
    lines = []
    welsh = {"lsoa21_code": "W01000001", "total_usual_residents": 1500, "white": 1400}
    welsh |= {tidy[k]: 25 for k in ("asian", "black", "mixed", "other")}
    for row in [*rows.to_dict("records"), welsh]:
        cells = [2021, f"Somewhere {row['lsoa21_code'][-3:]}", row["lsoa21_code"]]
        cells.append(row["total_usual_residents"])
        for name, (_, details) in NOMIS_GROUPS.items():
            cells += [row[tidy[name]], row[tidy[name]], *[0] * (len(details) - 1)]
        lines.append(cells)
    frame = pd.DataFrame(lines, columns=header)
    return frame.to_csv(index=False, lineterminator="\n")


def _nomis_zip(csv: str) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("census2021-ts021-ctry.csv", "date,geography,geography code\n")
        packed.writestr("census2021-ts021-lsoa.csv", csv)
        packed.writestr("census2021-ts021-msoa.csv", "date,geography,geography code\n")
    return archive.getvalue()


@pytest.fixture(scope="module")
def sample(data_dir: Path) -> pd.DataFrame:
    """Six rows of the reference copy, as its file has them."""
    copy = find_file(get_dataset(NAME), data_dir)
    return pd.read_csv(copy, dtype={"lsoa21_code": str}).iloc[[0, 1, 2, 1000, 20000, 33754]]


@pytest.fixture(scope="module")
def expected(data_dir: Path, sample: pd.DataFrame) -> pd.DataFrame:
    """The reference copy's table (read by the package) at the sample's rows."""
    table = read_dataset(get_dataset(NAME), find_file(get_dataset(NAME), data_dir))
    return table.iloc[list(sample.index)].reset_index(drop=True)


def test_data_add_takes_nomis_csv_and_zip(
    sample: pd.DataFrame, expected: pd.DataFrame, tmp_path: Path, capsys
) -> None:
    csv = tmp_path / "census2021-ts021-lsoa.csv"
    csv.write_text(_nomis_csv(sample), encoding="utf-8")
    packed = tmp_path / "census2021-ts021.zip"
    packed.write_bytes(_nomis_zip(csv.read_text(encoding="utf-8")))
    assert len(pd.read_csv(csv).columns) == 28  # the five groups, their 19 categories, total
    for file in (csv, packed):
        folder = tmp_path / file.suffix.lstrip(".")
        argv = ["data", "add", NAME, str(file), "--data-dir", str(folder)]
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert f"added as {folder / 'ethnicity_lsoa21.csv'} (6 rows)" in out, out
        table = load(NAME, folder).table
        pd.testing.assert_frame_equal(table, expected)
        assert "W01000001" not in set(table["lsoa21_code"])


def test_data_add_refuses_groups_that_do_not_add_up(sample: pd.DataFrame, tmp_path: Path) -> None:
    broken = sample.copy()
    broken.iloc[1, broken.columns.get_loc("white")] += 1
    csv = tmp_path / "census2021-ts021-lsoa.csv"
    csv.write_text(_nomis_csv(broken), encoding="utf-8")
    code, total = broken.iloc[1]["lsoa21_code"], broken.iloc[1]["total_usual_residents"]
    with pytest.raises(DataError) as caught:
        add(NAME, csv, tmp_path / "data")
    assert caught.value.message.startswith(f"{csv} is not a readable {NAME} file")
    assert caught.value.message.endswith(  # the row of the file as it is staged
        f"ethnicity_lsoa21.csv, row 3 ({code}): white, mixed, asian, black, other add up to "
        f"{total + 1:,}, not the total {total:,}"
    )
    assert not (tmp_path / "data" / "ethnicity_lsoa21.csv").exists()
    # a ZIP without the LSOA table
    empty = tmp_path / "census2021-ts021.zip"
    with zipfile.ZipFile(empty, "w") as packed:
        packed.writestr("census2021-ts021-oa.csv", "date\n")
    with pytest.raises(DataError, match=r"the ZIP has no member 'census2021-ts021-lsoa\.csv'"):
        add(NAME, empty, tmp_path / "data")


def test_data_fetch_unpacks_the_member_of_nomis_zip(
    sample: pd.DataFrame, expected: pd.DataFrame, tmp_path: Path, monkeypatch, capsys
) -> None:
    dataset = get_dataset(NAME)
    monkeypatch.delenv("HI_REPORTS_MIRROR", raising=False)
    with serve() as publisher:
        publisher.add_file(dataset.download_url, _nomis_zip(_nomis_csv(sample)))
        local = dataclasses.replace(dataset, download_url=publisher.local(dataset.download_url))
        monkeypatch.setitem(CATALOGUE, NAME, local)
        folder = tmp_path / "data"
        assert main(["data", "fetch", NAME, "--data-dir", str(folder)]) == 0
        assert (
            "census2021_ethnicity   fetched  ethnicity_lsoa21.csv  6 rows"
            in capsys.readouterr().out
        )
        pd.testing.assert_frame_equal(load(NAME, folder).table, expected)
        fetched = fetch(NAME, tmp_path / "again", progress=False)
        assert fetched.path.name == "ethnicity_lsoa21.csv" and fetched.known is None
